ALTER TABLE "results" DROP CONSTRAINT "results_application_id_applications_id_fk";
