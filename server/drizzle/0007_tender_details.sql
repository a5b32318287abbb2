ALTER TABLE "tenders" ADD COLUMN "tenderee" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "lot" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "ceiling_price" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "venue" text;