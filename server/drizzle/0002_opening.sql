CREATE TYPE "public"."opening_status" AS ENUM('sealed', 'summary-decrypted', 'decrypted', 'revoked', 'withdrawn-platform', 'remedy-pending', 'invalid');--> statement-breakpoint
CREATE TABLE "check_ins" (
	"tender_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "check_ins_tender_id_bidder_id_pk" PRIMARY KEY("tender_id","bidder_id")
);
--> statement-breakpoint
CREATE TABLE "hall_events" (
	"tender_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "hall_events_tender_id_seq_pk" PRIMARY KEY("tender_id","seq")
);
--> statement-breakpoint
CREATE TABLE "objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"text" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "outages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"from" timestamp (3) with time zone NOT NULL,
	"to" timestamp (3) with time zone NOT NULL,
	"reason" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_signatures" (
	"tender_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"signature" "bytea" NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "record_signatures_tender_id_bidder_id_pk" PRIMARY KEY("tender_id","bidder_id")
);
--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "opening_status" "opening_status" DEFAULT 'sealed' NOT NULL;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "opening_reason" text;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "summary_key" "bytea";--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "documents_key" "bytea";--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "decrypted_by" text;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "summary_fields" jsonb;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "summary_documents_sha256" text;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "documents_plain_sha256" text;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "documents_lease_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "bids" ADD COLUMN "draw_seed" text;--> statement-breakpoint
-- Existing tenders get the default check-in lead (30 minutes) before the column becomes NOT NULL.
ALTER TABLE "tenders" ADD COLUMN "check_in_opens_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "tenders" SET "check_in_opens_at" = "deadline" - interval '30 minutes';--> statement-breakpoint
ALTER TABLE "tenders" ALTER COLUMN "check_in_opens_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "next_check_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "opened_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "decryption_started_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "window_ends_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "window_paused_remaining_ms" bigint;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "window_ended_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "announced_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "record_opened_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "closed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "failure_reason" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "hall_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "draw_options" jsonb;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "draw_label" jsonb;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "server_seed" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "server_seed_commitment" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "draw_result" jsonb;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "record_text" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "record_sha256" text;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_events" ADD CONSTRAINT "hall_events_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_answered_by_actors_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outages" ADD CONSTRAINT "outages_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outages" ADD CONSTRAINT "outages_recorded_by_actors_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_signatures" ADD CONSTRAINT "record_signatures_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_signatures" ADD CONSTRAINT "record_signatures_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenders_next_check" ON "tenders" USING btree ("next_check_at") WHERE "tenders"."next_check_at" IS NOT NULL;--> statement-breakpoint
-- Existing tenders that have not opened yet join the chronograph.
UPDATE "tenders" SET "next_check_at" = "check_in_opens_at" WHERE "status" = 'scheduled';
