-- Selection by review or exam per quota (Decree 170/2025 Art. 3(2)(d); Decree 115/2020 Art. 2).
ALTER TABLE "quotas" ADD COLUMN IF NOT EXISTS "method" text DEFAULT 'exam' NOT NULL;
--> statement-breakpoint
-- Intake (tiếp nhận), outside drives: the catalogue of categories (data: 170 Art. 13 as issued and
-- 115 Art. 13 as seed; 300 Art. 3–4 replaced 170's and is held only in summary), the intakes, their
-- review councils (Hội đồng kiểm tra, sát hạch) and the council members' oral marks.
CREATE TABLE "intake_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"catalogue" text NOT NULL,
	"staff_category" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"condition" text NOT NULL,
	"min_years" integer,
	"council_required" boolean NOT NULL,
	"oral_required" boolean NOT NULL,
	"deciding_authority" text NOT NULL,
	"dossier_items" jsonb NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "intake_categories_catalogue_code_unique" ON "intake_categories" USING btree ("catalogue","staff_category","code");
--> statement-breakpoint
CREATE TABLE "intakes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_position_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"staff_category" text NOT NULL,
	"year" integer NOT NULL,
	"full_name" text NOT NULL,
	"full_name_search" text NOT NULL,
	"birth_date" date NOT NULL,
	"national_id_ciphertext" text NOT NULL,
	"national_id_index" text NOT NULL,
	"national_id_masked" text NOT NULL,
	"current_employer" text,
	"leadership_post" boolean DEFAULT false NOT NULL,
	"conditions" jsonb NOT NULL,
	"dossier" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"received_on" date NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"council_outcome" text,
	"council_minutes_ref" text,
	"council_reported_on" date,
	"oral_score" numeric(5, 2),
	"oral_rule" text,
	"decision_authority" text,
	"decision_number" text,
	"decision_date" date,
	"decision_reason" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "intakes_status_known" CHECK ("intakes"."status" in ('requested','accepted','refused')),
	CONSTRAINT "intakes_year_range" CHECK ("intakes"."year" between 2000 and 2100)
);
--> statement-breakpoint
ALTER TABLE "intakes" ADD CONSTRAINT "intakes_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "intakes" ADD CONSTRAINT "intakes_job_position_id_job_positions_id_fk" FOREIGN KEY ("job_position_id") REFERENCES "public"."job_positions"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "intakes" ADD CONSTRAINT "intakes_category_id_intake_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."intake_categories"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "intakes_headcount_idx" ON "intakes" USING btree ("agency_id","year","staff_category","status");
--> statement-breakpoint
CREATE INDEX "intakes_national_id_index_idx" ON "intakes" USING btree ("national_id_index");
--> statement-breakpoint
CREATE TABLE "intake_council_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"intake_id" uuid NOT NULL,
	"seat" text NOT NULL,
	"full_name" text NOT NULL,
	"national_id_index" text,
	"national_id_masked" text,
	"title" text,
	"discipline" text DEFAULT 'none' NOT NULL,
	"relatives_declared" integer DEFAULT 0 NOT NULL,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "intake_council_members" ADD CONSTRAINT "intake_council_members_intake_id_intakes_id_fk" FOREIGN KEY ("intake_id") REFERENCES "public"."intakes"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "intake_council_members_intake_idx" ON "intake_council_members" USING btree ("intake_id");
--> statement-breakpoint
CREATE TABLE "intake_oral_marks" (
	"intake_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"score" numeric(5, 2) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "intake_oral_marks_range" CHECK ("intake_oral_marks"."score" between 0 and 100)
);
--> statement-breakpoint
ALTER TABLE "intake_oral_marks" ADD CONSTRAINT "intake_oral_marks_intake_id_intakes_id_fk" FOREIGN KEY ("intake_id") REFERENCES "public"."intakes"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "intake_oral_marks" ADD CONSTRAINT "intake_oral_marks_member_id_intake_council_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."intake_council_members"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "intake_oral_marks_member_unique" ON "intake_oral_marks" USING btree ("intake_id","member_id");
--> statement-breakpoint
-- Seed: Decree 170/2025 Art. 13(1)–(4), 14(1)–(2) as issued (civil servants) and Decree 115/2020
-- Art. 13 as amended by 85/2023 (public employees). 300/2026 Art. 3–4 replaced 170's articles from
-- 2026-08-01 (plans approved earlier may run under 170 to 2027-01-31, 300 Art. 35(1)); its text is
-- not held, so its categories are added as a new catalogue (POST /v1/intake-categories) once it is.
INSERT INTO "intake_categories" ("id","catalogue","staff_category","code","name","source","condition","min_years","council_required","oral_required","deciding_authority","dossier_items","effective_from") VALUES
(gen_random_uuid(),'nd170-2025','civil_servant','a','Chuyên gia, nhà khoa học, luật gia, luật sư giỏi, doanh nhân tiêu biểu, xuất sắc ngoài khu vực công (chính sách thu hút người có tài năng)','Decree 170/2025 Art. 13(1)(a), 13(2)(b), 13(3)(a), 14(1)','results',NULL,true,true,'managing_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','b','Viên chức công tác tại đơn vị sự nghiệp công lập','Decree 170/2025 Art. 13(1)(b), 13(2)(a), 13(3)(b), 14(2)(a)','insured_years',5,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','c','Người hưởng lương trong Quân đội nhân dân, Công an nhân dân, tổ chức cơ yếu mà không phải là công chức','Decree 170/2025 Art. 13(1)(c), 13(2)(a), 13(3)(b), 14(2)(a)','insured_years',5,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','d','Người giữ chức vụ lãnh đạo, quản lý từ cấp phòng trở lên tại doanh nghiệp nhà nước','Decree 170/2025 Art. 13(1)(d), 13(2)(b), 13(3)(b), 14(1)','insured_years',5,true,true,'managing_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','đ','Người đã từng là cán bộ, công chức được điều động, luân chuyển giữ vị trí không phải cán bộ, công chức','Decree 170/2025 Art. 13(1)(đ), 13(2)(a), 13(3)(c), 14(2)(a)','assignment_decision',NULL,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','e','Người được tuyển dụng theo chỉ tiêu biên chế làm việc trong các hội do Đảng và Nhà nước giao nhiệm vụ','Decree 170/2025 Art. 13(1)(e), 13(2)(b), 13(3)(b), 14(1)','insured_years',5,true,true,'managing_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','g','Người hoạt động không chuyên trách ở cấp xã trước ngày 01/7/2025','Decree 170/2025 Art. 13(1)(g), 13(2)(b), 13(3)(b), 14(1)','insured_years',5,true,true,'managing_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd170-2025','civil_servant','h','Đội viên Đề án trí thức trẻ tình nguyện về các xã giai đoạn 2013–2020','Decree 170/2025 Art. 13(1)(h), 13(2)(b), 13(3)(b), 14(1)','insured_years',5,true,true,'managing_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":null,"validityMonths":6},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2025-07-01'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','a','Người có đủ 05 năm công tác làm công việc chuyên môn phù hợp','Decree 115/2020 Art. 13(1)(a), 13(2) as amended by 85/2023','insured_years',5,true,true,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','b','Cán bộ, công chức cấp xã làm công việc phù hợp','Decree 115/2020 Art. 13(1)(b), 13(2) as amended by 85/2023','none',NULL,true,true,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','c','Người đã từng là cán bộ, công chức, viên chức được chuyển công tác bằng văn bản','Decree 115/2020 Art. 13(1)(c), 13(4)(b) as amended by 85/2023','assignment_decision',NULL,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','d','Tiến sĩ làm việc tại cơ quan, tổ chức nước ngoài, đủ 03 năm công tác phù hợp','Decree 115/2020 Art. 13(1)(d), 13(4)(b) as amended by 85/2023','insured_years',3,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','đ','Người có tài năng, năng khiếu đặc biệt (văn hóa, nghệ thuật, thể dục thể thao, nghề truyền thống)','Decree 115/2020 Art. 13(1)(đ), 13(4)(b) as amended by 85/2023','results',NULL,false,false,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07'),
(gen_random_uuid(),'nd115-2020-85-2023','public_employee','e','Người học theo chế độ cử tuyển về công tác tại địa phương nơi cử đi học','Decree 115/2020 Art. 13(1)(e), 13(2) as amended by 85/2023','none',NULL,true,true,'recruiting_authority_head','[{"code":"cv","name":"Sơ yếu lý lịch (CV)","validityDays":30,"validityMonths":null},{"code":"diplomas","name":"Bản sao văn bằng, chứng chỉ","validityDays":null,"validityMonths":null},{"code":"health","name":"Giấy chứng nhận sức khỏe","validityDays":30,"validityMonths":null},{"code":"self_assessment","name":"Bản tự nhận xét, đánh giá","validityDays":null,"validityMonths":null}]','2023-12-07');
