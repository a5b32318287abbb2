CREATE TYPE "public"."role" AS ENUM('bidder', 'host', 'supervisor', 'expert', 'custodian', 'tenderee', 'admin');--> statement-breakpoint
CREATE TYPE "public"."bid_status" AS ENUM('submitted', 'replaced', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."opening_key_algorithm" AS ENUM('rsa-2048', 'rsa-3072', 'ec-p256');--> statement-breakpoint
CREATE TYPE "public"."remedy_policy" AS ENUM('none', 'custodian-quorum');--> statement-breakpoint
CREATE TYPE "public"."tender_status" AS ENUM('scheduled', 'check-in', 'opened', 'failed', 'decrypting', 'announced', 'confirming', 'closed');--> statement-breakpoint
CREATE TABLE "actors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity" text NOT NULL,
	"role" "role" NOT NULL,
	"name" text NOT NULL,
	"organization" text,
	"encryption_certificate" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_challenges" (
	"nonce" text PRIMARY KEY NOT NULL,
	"challenge" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"entry" text NOT NULL,
	"tender_id" uuid,
	"prev_hash" "bytea" NOT NULL,
	"hash" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bids" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"status" "bid_status" DEFAULT 'submitted' NOT NULL,
	"summary_sha256" text NOT NULL,
	"summary_size" bigint NOT NULL,
	"documents_sha256" text NOT NULL,
	"documents_size" bigint NOT NULL,
	"manifest" "bytea" NOT NULL,
	"manifest_signature" "bytea" NOT NULL,
	"encryption_certificate" text NOT NULL,
	"draw_commitment" text,
	"received_at" timestamp (3) with time zone NOT NULL,
	"receipt" "bytea" NOT NULL,
	"replaces_bid_id" uuid,
	"ended_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "tender_custodians" (
	"tender_id" uuid NOT NULL,
	"custodian_id" uuid NOT NULL,
	"share_index" integer NOT NULL,
	"sealed_share" "bytea" NOT NULL,
	CONSTRAINT "tender_custodians_tender_id_custodian_id_pk" PRIMARY KEY("tender_id","custodian_id")
);
--> statement-breakpoint
CREATE TABLE "tenders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"title" text NOT NULL,
	"status" "tender_status" DEFAULT 'scheduled' NOT NULL,
	"deadline" timestamp (3) with time zone NOT NULL,
	"decryption_window_minutes" integer NOT NULL,
	"summary_fields" jsonb NOT NULL,
	"min_bidders" integer NOT NULL,
	"quorum" integer NOT NULL,
	"remedy_policy" "remedy_policy" NOT NULL,
	"opening_key_algorithm" "opening_key_algorithm" NOT NULL,
	"opening_certificate" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenders_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tender_custodians" ADD CONSTRAINT "tender_custodians_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tender_custodians" ADD CONSTRAINT "tender_custodians_custodian_id_actors_id_fk" FOREIGN KEY ("custodian_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_created_by_actors_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "actors_identity_role" ON "actors" USING btree ("identity","role");--> statement-breakpoint
CREATE INDEX "audit_log_tender" ON "audit_log" USING btree ("tender_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "bids_one_submitted_per_bidder" ON "bids" USING btree ("tender_id","bidder_id") WHERE "bids"."status" = 'submitted';--> statement-breakpoint
CREATE INDEX "bids_tender" ON "bids" USING btree ("tender_id");