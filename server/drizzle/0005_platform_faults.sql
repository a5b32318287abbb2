CREATE TABLE "hall_proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"detail" jsonb NOT NULL,
	"reason" text NOT NULL,
	"proposed_by" uuid NOT NULL,
	"proposed_role" text NOT NULL,
	"proposed_at" timestamp (3) with time zone NOT NULL,
	"decision" text,
	"decided_by" uuid,
	"decided_role" text,
	"decided_at" timestamp (3) with time zone,
	"decision_reason" text
);
--> statement-breakpoint
ALTER TABLE "outages" ALTER COLUMN "recorded_by" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "outages" ADD COLUMN "source" text DEFAULT 'staff' NOT NULL;--> statement-breakpoint
ALTER TABLE "outages" ADD COLUMN "bid_ids" jsonb;--> statement-breakpoint
ALTER TABLE "outages" ADD COLUMN "confirmed_by" uuid;--> statement-breakpoint
ALTER TABLE "hall_proposals" ADD CONSTRAINT "hall_proposals_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_proposals" ADD CONSTRAINT "hall_proposals_proposed_by_actors_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_proposals" ADD CONSTRAINT "hall_proposals_decided_by_actors_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outages" ADD CONSTRAINT "outages_confirmed_by_actors_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;