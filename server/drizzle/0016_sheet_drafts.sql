CREATE TABLE "sheet_drafts" (
	"committee_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"member_id" uuid NOT NULL,
	"marks" jsonb NOT NULL,
	"saved_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "sheet_drafts_committee_id_stage_member_id_pk" PRIMARY KEY("committee_id","stage","member_id")
);
--> statement-breakpoint
ALTER TABLE "sheet_drafts" ADD CONSTRAINT "sheet_drafts_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sheet_drafts" ADD CONSTRAINT "sheet_drafts_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;