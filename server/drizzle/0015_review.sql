CREATE TABLE "review_sheets" (
	"committee_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"member_id" uuid NOT NULL,
	"marks" jsonb NOT NULL,
	"status" text NOT NULL,
	"note" text,
	"confirmation" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"submitted_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "review_sheets_committee_id_stage_member_id_pk" PRIMARY KEY("committee_id","stage","member_id")
);
--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "review_stage" text;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "stage_results" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "reopen_request" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "ranking" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "candidates" jsonb;--> statement-breakpoint
ALTER TABLE "review_sheets" ADD CONSTRAINT "review_sheets_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_sheets" ADD CONSTRAINT "review_sheets_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;