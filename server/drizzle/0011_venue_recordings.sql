CREATE TABLE "venue_recordings" (
	"venue" text PRIMARY KEY NOT NULL,
	"recording" boolean NOT NULL,
	"since" timestamp (3) with time zone NOT NULL,
	"recorded_by" text NOT NULL
);
