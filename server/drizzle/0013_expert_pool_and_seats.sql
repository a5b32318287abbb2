CREATE TYPE "public"."expert_status" AS ENUM('active', 'suspended', 'retired');--> statement-breakpoint
CREATE TABLE "expert_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"expert_id" uuid NOT NULL,
	"tenderee_credit_code" text NOT NULL,
	"tender_id" uuid,
	"served_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"identity" text NOT NULL,
	"specialties" jsonb NOT NULL,
	"region" text NOT NULL,
	"employer_name" text NOT NULL,
	"employer_credit_code" text NOT NULL,
	"relations" jsonb NOT NULL,
	"status" "expert_status" NOT NULL,
	"suspended_until" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seats" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"centre" text NOT NULL,
	"city" text NOT NULL,
	"room" text NOT NULL,
	"seat" text NOT NULL,
	"cidr" text NOT NULL,
	"device_certificate" text,
	"added_by" uuid,
	"added_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "expert_services" ADD CONSTRAINT "expert_services_expert_id_experts_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."experts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_services" ADD CONSTRAINT "expert_services_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_added_by_actors_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "expert_services_expert" ON "expert_services" USING btree ("expert_id","served_at");--> statement-breakpoint
CREATE UNIQUE INDEX "experts_code" ON "experts" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "experts_identity" ON "experts" USING btree ("identity");--> statement-breakpoint
CREATE UNIQUE INDEX "seats_place" ON "seats" USING btree ("centre","room","seat");