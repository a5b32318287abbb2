CREATE TABLE "remedy_sessions" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"public_key" text NOT NULL,
	"quorum" integer NOT NULL,
	"lease_until" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remedy_shares" (
	"tender_id" uuid NOT NULL,
	"custodian_id" uuid NOT NULL,
	"share_index" integer NOT NULL,
	"key_sha256" text NOT NULL,
	"sealed" "bytea" NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "remedy_shares_tender_id_custodian_id_pk" PRIMARY KEY("tender_id","custodian_id")
);
--> statement-breakpoint
ALTER TABLE "remedy_sessions" ADD CONSTRAINT "remedy_sessions_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedy_shares" ADD CONSTRAINT "remedy_shares_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedy_shares" ADD CONSTRAINT "remedy_shares_custodian_id_actors_id_fk" FOREIGN KEY ("custodian_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;