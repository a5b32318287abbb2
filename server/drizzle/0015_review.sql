CREATE TABLE "candidate_objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"committee_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"text" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"answer" text,
	"answered_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "clarification_files" (
	"clarification_id" uuid NOT NULL,
	"index" integer NOT NULL,
	"name" text NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	CONSTRAINT "clarification_files_clarification_id_index_pk" PRIMARY KEY("clarification_id","index")
);
--> statement-breakpoint
CREATE TABLE "clarifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"committee_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"bidder_id" uuid NOT NULL,
	"question" text NOT NULL,
	"answer_minutes" integer NOT NULL,
	"asked_by" uuid NOT NULL,
	"asked_at" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"decision" jsonb,
	"deadline" timestamp (3) with time zone,
	"answer" text,
	"answer_files" jsonb,
	"answer_signature" "bytea",
	"answered_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "expert_assessments" (
	"committee_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"assessor_id" uuid NOT NULL,
	"assessor_role" text NOT NULL,
	"observed" jsonb NOT NULL,
	"verdict" text NOT NULL,
	"note" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "expert_assessments_committee_id_member_id_assessor_id_pk" PRIMARY KEY("committee_id","member_id","assessor_id")
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"committee_id" uuid NOT NULL,
	"rater_id" uuid NOT NULL,
	"party" text NOT NULL,
	"target" text NOT NULL,
	"subject_id" text NOT NULL,
	"scores" jsonb NOT NULL,
	"comment" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ratings_committee_id_rater_id_target_subject_id_pk" PRIMARY KEY("committee_id","rater_id","target","subject_id")
);
--> statement-breakpoint
CREATE TABLE "report_stances" (
	"committee_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"stance" text NOT NULL,
	"statement" text,
	"signature" "bytea",
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "report_stances_committee_id_member_id_pk" PRIMARY KEY("committee_id","member_id")
);
--> statement-breakpoint
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
CREATE TABLE "time_votes" (
	"committee_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"member_id" uuid NOT NULL,
	"too_short" boolean NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "time_votes_committee_id_round_member_id_pk" PRIMARY KEY("committee_id","round","member_id")
);
--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "review_stage" text;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "stage_results" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "review_ends_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "time_vote_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "time_vote_open" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "time_votes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "report_text" text;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "report_sha256" text;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "signing_ends_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "closed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "published_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "publicity_ends_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "publicity_ended_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "rating_forms" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "clarification_due" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "reopen_request" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "ranking" jsonb;--> statement-breakpoint
ALTER TABLE "committees" ADD COLUMN "candidates" jsonb;--> statement-breakpoint
ALTER TABLE "candidate_objections" ADD CONSTRAINT "candidate_objections_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_objections" ADD CONSTRAINT "candidate_objections_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarification_files" ADD CONSTRAINT "clarification_files_clarification_id_clarifications_id_fk" FOREIGN KEY ("clarification_id") REFERENCES "public"."clarifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_bidder_id_actors_id_fk" FOREIGN KEY ("bidder_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_asked_by_committee_members_id_fk" FOREIGN KEY ("asked_by") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_assessments" ADD CONSTRAINT "expert_assessments_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_assessments" ADD CONSTRAINT "expert_assessments_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_assessments" ADD CONSTRAINT "expert_assessments_expert_id_experts_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."experts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_assessments" ADD CONSTRAINT "expert_assessments_assessor_id_actors_id_fk" FOREIGN KEY ("assessor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_rater_id_actors_id_fk" FOREIGN KEY ("rater_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_stances" ADD CONSTRAINT "report_stances_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_stances" ADD CONSTRAINT "report_stances_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_sheets" ADD CONSTRAINT "review_sheets_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_sheets" ADD CONSTRAINT "review_sheets_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_votes" ADD CONSTRAINT "time_votes_committee_id_committees_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_votes" ADD CONSTRAINT "time_votes_member_id_committee_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."committee_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "candidate_objections_committee" ON "candidate_objections" USING btree ("committee_id");--> statement-breakpoint
CREATE INDEX "clarifications_committee" ON "clarifications" USING btree ("committee_id");--> statement-breakpoint
CREATE INDEX "clarifications_bidder" ON "clarifications" USING btree ("bidder_id");--> statement-breakpoint
CREATE INDEX "expert_assessments_expert" ON "expert_assessments" USING btree ("expert_id","at");