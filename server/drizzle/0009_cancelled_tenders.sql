ALTER TYPE "public"."tender_status" ADD VALUE 'cancelled';--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "cancel_reason" text;