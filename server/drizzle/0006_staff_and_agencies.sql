ALTER TABLE "actors" ADD COLUMN "signing_fingerprint" text;--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "agency" text;--> statement-breakpoint
-- Tenders created before agencies were recorded belong to their creator's organisation.
UPDATE "tenders" SET "agency" = (SELECT "organization" FROM "actors" WHERE "actors"."id" = "tenders"."created_by");
