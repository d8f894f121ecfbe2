-- The government's holiday decisions for 2025 and 2026, as known when this was written. Only days
-- whose document is known are seeded; 2027 is not fixed yet, so its Tết (5–9 Feb 2027) and the day
-- joined to 2 September are the Labour Code defaults, flagged provisional by the API until an admin
-- records the decision (PUT /v1/calendar/entries/{date}).
--
-- 2025: Government Office letter 8726/VPCP-KGVX of 26 Nov 2024 conveying the Prime Minister's
-- approval of the Ministry of Labour, Invalids and Social Affairs' plan: Tết 27–31 Jan 2025
-- (28 tháng Chạp – mùng 3 Tết; with the weekends, 25 Jan – 2 Feb); 30 April – 4 May with Friday
-- 2 May swapped for Saturday 26 April; 2 September with Monday 1 September.
INSERT INTO "calendar_entries" ("date", "kind", "name", "decision_number", "decision_date", "decision_issuer", "note") VALUES
	('2025-01-27', 'tet', 'Tết Âm lịch Ất Tỵ (28 tháng Chạp)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL),
	('2025-01-28', 'tet', 'Tết Âm lịch Ất Tỵ (29 tháng Chạp)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL),
	('2025-01-29', 'tet', 'Tết Âm lịch Ất Tỵ (mùng 1)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL),
	('2025-01-30', 'tet', 'Tết Âm lịch Ất Tỵ (mùng 2)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL),
	('2025-01-31', 'tet', 'Tết Âm lịch Ất Tỵ (mùng 3)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL),
	('2025-04-26', 'working_day', 'Làm bù cho thứ Sáu 02/5/2025', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', 'Hoán đổi ngày làm việc dịp 30/4 – 1/5'),
	('2025-05-02', 'day_off', 'Nghỉ hoán đổi dịp 30/4 – 1/5 (làm bù thứ Bảy 26/4/2025)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', 'Hoán đổi ngày làm việc dịp 30/4 – 1/5'),
	('2025-09-01', 'national_day', 'Quốc khánh (ngày liền kề trước 2/9)', '8726/VPCP-KGVX', '2024-11-26', 'Văn phòng Chính phủ', NULL);
--> statement-breakpoint
-- 2026: Ministry of Home Affairs notice 9441/TB-BNV of 16 Oct 2025, on the Prime Minister's
-- approval in Government Office letter 9859/VPCP-KGVX: Tết 16–20 Feb 2026 (29 tháng Chạp –
-- mùng 4; with the weekends, 14–22 Feb); 1 and 2 September, with Monday 31 August swapped for
-- Saturday 22 August.
INSERT INTO "calendar_entries" ("date", "kind", "name", "decision_number", "decision_date", "decision_issuer", "note") VALUES
	('2026-02-16', 'tet', 'Tết Âm lịch Bính Ngọ (29 tháng Chạp)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Theo ý kiến Thủ tướng tại Công văn 9859/VPCP-KGVX'),
	('2026-02-17', 'tet', 'Tết Âm lịch Bính Ngọ (mùng 1)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Theo ý kiến Thủ tướng tại Công văn 9859/VPCP-KGVX'),
	('2026-02-18', 'tet', 'Tết Âm lịch Bính Ngọ (mùng 2)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Theo ý kiến Thủ tướng tại Công văn 9859/VPCP-KGVX'),
	('2026-02-19', 'tet', 'Tết Âm lịch Bính Ngọ (mùng 3)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Theo ý kiến Thủ tướng tại Công văn 9859/VPCP-KGVX'),
	('2026-02-20', 'tet', 'Tết Âm lịch Bính Ngọ (mùng 4)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Theo ý kiến Thủ tướng tại Công văn 9859/VPCP-KGVX'),
	('2026-08-22', 'working_day', 'Làm bù cho thứ Hai 31/8/2026', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Hoán đổi ngày làm việc dịp Quốc khánh'),
	('2026-08-31', 'day_off', 'Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', 'Hoán đổi ngày làm việc dịp Quốc khánh'),
	('2026-09-01', 'national_day', 'Quốc khánh (ngày liền kề trước 2/9)', '9441/TB-BNV', '2025-10-16', 'Bộ Nội vụ', NULL);
