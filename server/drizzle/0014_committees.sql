CREATE TYPE "public"."committee_status" AS ENUM('drawing', 'formed', 'signing-in', 'declaring', 'electing', 'reviewing', 'reporting', 'signing', 'closed', 'published', 'suspended', 're-formed');--> statement-breakpoint
CREATE TYPE "public"."member_kind" AS ENUM('expert', 'representative');--> statement-breakpoint
CREATE TYPE "public"."member_state" AS ENUM('standby', 'awaiting', 'signed-in', 'declared', 'absent', 'withdrawn');--> statement-breakpoint
CREATE TABLE "committee_events" (
	"committee_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "committee_events_committee_id_seq_pk" PRIMARY KEY("committee_id","seq")
);
--> statement-breakpoint
CREATE TABLE "committee_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"committee_id" uuid NOT NULL,
	"kind" "member_kind" NOT NULL,
	"expert_id" uuid,
	"identity" text NOT NULL,
	"name" text NOT NULL,
	"specialty" text,
	"draw_order" integer,
	"nonce" text NOT NULL,
	"commitment" text NOT NULL,
	"state" "member_state" NOT NULL,
	"seat_id" uuid,
	"replaces" uuid,
	"sign_in_by" timestamp (3) with time zone,
	"signed_in_at" timestamp (3) with time zone,
	"signed_in_address" text,
	"signed_in_actor_id" uuid,
	"declared_at" timestamp (3) with time zone,
	"declaration_signature" "bytea",
	"conflict_statement" text,
	"ended_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "committees" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"status" "committee_status" DEFAULT 'drawing' NOT NULL,
	"spec" jsonb NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"sign_in_opens_at" timestamp (3) with time zone NOT NULL,
	"sign_in_closes_at" timestamp (3) with time zone NOT NULL,
	"platform_seed_commitment" text NOT NULL,
	"platform_seed" text,
	"supervisor_seed" text,
	"drawn_at" timestamp (3) with time zone,
	"snapshot" text,
	"snapshot_sha256" text,
	"exclusions" jsonb,
	"drawn" jsonb,
	"leader_id" uuid,
	"election_round" integer DEFAULT 0 NOT NULL,
	"election_candidates" jsonb,
	"review_started_at" timestamp (3) with time zone,
	"suspended_from" "committee_status",
	"fault_since" timestamp (3) with time zone,
	"fault_limit_at" timestamp (3) with time zone,
	"fault_reason" text,
	"awaited_until" timestamp (3) with time zone,
	"next_check_at" timestamp (3) with time zone,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leader_votes" (
	"committee_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"voter_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"counts" boolean DEFAULT true NOT NULL,
	CONSTRAINT "leader_votes_committee_id_round_voter_id_pk" PRIMARY KEY("committee_id","round","voter_id")
);
--> statement-breakpoint
ALTER TABLE "committee_events" ADD CONSTRAINT "committee_events_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_members" ADD CONSTRAINT "committee_members_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_members" ADD CONSTRAINT "committee_members_expert_id_experts_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."experts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_members" ADD CONSTRAINT "committee_members_seat_id_seats_id_fk" FOREIGN KEY ("seat_id") REFERENCES "public"."seats"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_members" ADD CONSTRAINT "committee_members_signed_in_actor_id_actors_id_fk" FOREIGN KEY ("signed_in_actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committees" ADD CONSTRAINT "committees_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committees" ADD CONSTRAINT "committees_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "public"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committees" ADD CONSTRAINT "committees_created_by_actors_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leader_votes" ADD CONSTRAINT "leader_votes_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leader_votes" ADD CONSTRAINT "leader_votes_voter_id_committee_members_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leader_votes" ADD CONSTRAINT "leader_votes_candidate_id_committee_members_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "committee_members_committee" ON "committee_members" USING btree ("committee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "committee_members_identity" ON "committee_members" USING btree ("committee_id","identity");--> statement-breakpoint
CREATE INDEX "committees_tender" ON "committees" USING btree ("tender_id");--> statement-breakpoint
CREATE INDEX "committees_next_check" ON "committees" USING btree ("next_check_at") WHERE "committees"."next_check_at" IS NOT NULL;