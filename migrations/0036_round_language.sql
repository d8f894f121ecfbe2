-- Decree 170/2025 Art. 9(5): the recruiting authority sets the foreign language per position. A
-- foreign-language round may name the language it examines (sat only by the candidates of quotas
-- requiring that language); null keeps today's meaning, one exam for every required language.
ALTER TABLE "rounds" ADD COLUMN "language" text;
