CREATE TABLE "evaluation_experts" (
	"evaluation_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"city" text NOT NULL,
	CONSTRAINT "evaluation_experts_evaluation_id_expert_id_pk" PRIMARY KEY("evaluation_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_venues" (
	"evaluation_id" uuid NOT NULL,
	"city" text NOT NULL,
	CONSTRAINT "evaluation_venues_evaluation_id_city_pk" PRIMARY KEY("evaluation_id","city")
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid,
	"title" text NOT NULL,
	"main_city" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recording_segments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"room" text NOT NULL,
	"peer_id" text NOT NULL,
	"peer_name" text NOT NULL,
	"kinds" jsonb NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"audit_seq" bigint NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluation_experts" ADD CONSTRAINT "evaluation_experts_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "public"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_experts" ADD CONSTRAINT "evaluation_experts_expert_id_actors_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_venues" ADD CONSTRAINT "evaluation_venues_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "public"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_created_by_actors_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_experts_expert" ON "evaluation_experts" USING btree ("expert_id");--> statement-breakpoint
CREATE INDEX "recording_segments_room" ON "recording_segments" USING btree ("room","started_at");