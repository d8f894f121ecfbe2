-- Decree 170/2025 Art. 3(2)(c): positions reserved for ethnic-minority candidates, and ethnicity as a
-- coded field over the 54 groups of the General Statistics Office list (Decision 121-TCTK/PPCĐ;
-- src/domain/ethnicity.ts). The free text stays as submitted (in clear, as before); its code is kept
-- beside it. Stored values are mapped with the module's table of keys (NFC, diacritics removed,
-- lower case, letters and digits only, a leading "dân tộc"/"người" dropped); a value that names no
-- group keeps a null code and is listed by GET /v1/candidates/ethnicity-unmapped.
ALTER TABLE "candidates" ADD COLUMN "ethnicity_code" text;
--> statement-breakpoint
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_ethnicity_code_valid" CHECK ("ethnicity_code" ~ '^(0[1-9]|[1-4][0-9]|5[0-4])$');
--> statement-breakpoint
ALTER TABLE "candidate_profiles" ADD COLUMN "ethnicity_code" text;
--> statement-breakpoint
ALTER TABLE "candidate_profiles" ADD CONSTRAINT "candidate_profiles_ethnicity_code_valid" CHECK ("ethnicity_code" ~ '^(0[1-9]|[1-4][0-9]|5[0-4])$');
--> statement-breakpoint
-- A quota reserved for ethnic-minority candidates, or for named groups with their slots where the plan sets them.
ALTER TABLE "quotas" ADD COLUMN "ethnic_minority_only" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "quotas" ADD COLUMN "ethnic_groups" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
WITH keys(key, code) AS (VALUES
    ('kinh', '01'), ('tay', '02'), ('thai', '03'), ('hoa', '04'), ('khome', '05'), ('muong', '06'), ('nung', '07'), ('hmong', '08'),
    ('dao', '09'), ('giarai', '10'), ('ngai', '11'), ('ede', '12'), ('bana', '13'), ('xodang', '14'), ('sanchay', '15'), ('coho', '16'),
    ('cham', '17'), ('sandiu', '18'), ('hre', '19'), ('mnong', '20'), ('raglai', '21'), ('xtieng', '22'), ('bruvankieu', '23'), ('tho', '24'),
    ('giay', '25'), ('cotu', '26'), ('gietrieng', '27'), ('ma', '28'), ('khomu', '29'), ('co', '30'), ('taoi', '31'), ('choro', '32'),
    ('khang', '33'), ('xinhmun', '34'), ('hanhi', '35'), ('churu', '36'), ('lao', '37'), ('lachi', '38'), ('laha', '39'), ('phula', '40'),
    ('lahu', '41'), ('lu', '42'), ('lolo', '43'), ('chut', '44'), ('mang', '45'), ('pathen', '46'), ('colao', '47'), ('cong', '48'),
    ('boy', '49'), ('sila', '50'), ('pupeo', '51'), ('brau', '52'), ('odu', '53'), ('romam', '54'), ('viet', '01'), ('kinhviet', '01'),
    ('thotay', '02'), ('ngan', '02'), ('phen', '02'), ('thulao', '02'), ('padi', '02'), ('taykhao', '03'), ('taydam', '03'), ('thaiden', '03'),
    ('thaitrang', '03'), ('taymuoi', '03'), ('taythanh', '03'), ('hangtong', '03'), ('pathay', '03'), ('han', '04'), ('hoahan', '04'), ('trieuchau', '04'),
    ('phuckien', '04'), ('quangdong', '04'), ('hainam', '04'), ('xaphang', '04'), ('khmer', '05'), ('khomekrom', '05'), ('khmerkrom', '05'), ('vietgocmien', '05'),
    ('mol', '06'), ('mual', '06'), ('aota', '06'), ('auta', '06'), ('nungxuong', '07'), ('nunggiang', '07'), ('nungan', '07'), ('nungphanslinh', '07'),
    ('nungchao', '07'), ('nungloi', '07'), ('khenlai', '07'), ('mong', '08'), ('meo', '08'), ('hmongmeo', '08'), ('meoxanh', '08'), ('meodo', '08'),
    ('meoden', '08'), ('nameo', '08'), ('daodo', '09'), ('daotien', '09'), ('daoquantrang', '09'), ('daoquanchet', '09'), ('daothanhy', '09'), ('daologang', '09'),
    ('daolanten', '09'), ('yao', '09'), ('jarai', '10'), ('giorai', '10'), ('chorai', '10'), ('tobuan', '10'), ('xin', '11'), ('khachgia', '11'),
    ('rhade', '12'), ('rade', '12'), ('adham', '12'), ('mdhur', '12'), ('bahnar', '13'), ('golar', '13'), ('tolo', '13'), ('giolang', '13'),
    ('rongao', '13'), ('konkde', '13'), ('alacong', '13'), ('kpangcong', '13'), ('sedang', '14'), ('xoteng', '14'), ('hdang', '14'), ('todra', '14'),
    ('monam', '14'), ('cadong', '14'), ('halang', '14'), ('sanchaycaolansanchi', '15'), ('caolan', '15'), ('sanchi', '15'), ('caolansanchi', '15'), ('honban', '15'),
    ('kho', '16'), ('koho', '16'), ('xre', '16'), ('codon', '16'), ('toring', '16'), ('chiemthanh', '17'), ('hroi', '17'), ('sandeo', '18'),
    ('traidat', '18'), ('manquancoc', '18'), ('chamre', '19'), ('chom', '19'), ('kreluy', '19'), ('monong', '20'), ('pnong', '20'), ('pre', '20'),
    ('budang', '20'), ('dipri', '20'), ('biat', '20'), ('rolam', '20'), ('chilmnong', '20'), ('raclay', '21'), ('laoang', '21'), ('noang', '21'),
    ('xadieng', '22'), ('stieng', '22'), ('bulo', '22'), ('budek', '22'), ('bubiek', '22'), ('vankieu', '23'), ('bru', '23'), ('mangcoong', '23'),
    ('khua', '23'), ('danlai', '24'), ('lyha', '24'), ('taypong', '24'), ('nhang', '25'), ('dang', '25'), ('pauthinnuna', '25'), ('cuichu', '25'),
    ('katu', '26'), ('catu', '26'), ('gie', '27'), ('trieng', '27'), ('bnoong', '27'), ('chauma', '28'), ('mangan', '28'), ('maxop', '28'),
    ('mato', '28'), ('makrung', '28'), ('khmu', '29'), ('kmhmu', '29'), ('xacau', '29'), ('munxen', '29'), ('puthenh', '29'), ('tenh', '29'),
    ('tayhay', '29'), ('cor', '30'), ('toioi', '31'), ('paco', '31'), ('pahi', '31'), ('bahi', '31'), ('doro', '32'), ('chauro', '32'),
    ('xasua', '33'), ('xadon', '33'), ('xadang', '33'), ('xahoc', '33'), ('xaai', '33'), ('xabung', '33'), ('quanglam', '33'), ('puoc', '34'),
    ('pua', '34'), ('hanhigia', '35'), ('uni', '35'), ('xauni', '35'), ('choru', '36'), ('laoboc', '37'), ('laonoi', '37'), ('cute', '38'),
    ('laqua', '38'), ('khlaphlao', '39'), ('bokhopa', '40'), ('mudi', '40'), ('paxa', '40'), ('vaxo', '40'), ('pudang', '41'), ('khuxung', '41'),
    ('coxung', '41'), ('khaquy', '41'), ('nhuonduon', '42'), ('malieng', '44'), ('arem', '44'), ('tuvang', '44'), ('paleng', '44'), ('xolang', '44'),
    ('tohung', '44'), ('chacui', '44'), ('taccui', '44'), ('umo', '44'), ('mangu', '45'), ('pahung', '46'), ('xamkhong', '48'), ('mangnhe', '48'),
    ('xaxeng', '48'), ('chungcha', '49'), ('tronggia', '49'), ('tudi', '49'), ('tudin', '49'), ('cudexu', '50'), ('khape', '50'), ('kapeo', '51'),
    ('pentilolo', '51'), ('brao', '52'), ('tayhat', '53')
)
UPDATE "candidates" t SET "ethnicity_code" = keys.code
  FROM keys
 WHERE t."ethnicity_code" IS NULL
   AND keys.key = regexp_replace(regexp_replace(lower(translate(normalize(t."ethnicity", NFC), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy')), '[^a-z0-9]+', '', 'g'), '^(dantoc|nguoi)(?=[a-z])', '');
--> statement-breakpoint
WITH keys(key, code) AS (VALUES
    ('kinh', '01'), ('tay', '02'), ('thai', '03'), ('hoa', '04'), ('khome', '05'), ('muong', '06'), ('nung', '07'), ('hmong', '08'),
    ('dao', '09'), ('giarai', '10'), ('ngai', '11'), ('ede', '12'), ('bana', '13'), ('xodang', '14'), ('sanchay', '15'), ('coho', '16'),
    ('cham', '17'), ('sandiu', '18'), ('hre', '19'), ('mnong', '20'), ('raglai', '21'), ('xtieng', '22'), ('bruvankieu', '23'), ('tho', '24'),
    ('giay', '25'), ('cotu', '26'), ('gietrieng', '27'), ('ma', '28'), ('khomu', '29'), ('co', '30'), ('taoi', '31'), ('choro', '32'),
    ('khang', '33'), ('xinhmun', '34'), ('hanhi', '35'), ('churu', '36'), ('lao', '37'), ('lachi', '38'), ('laha', '39'), ('phula', '40'),
    ('lahu', '41'), ('lu', '42'), ('lolo', '43'), ('chut', '44'), ('mang', '45'), ('pathen', '46'), ('colao', '47'), ('cong', '48'),
    ('boy', '49'), ('sila', '50'), ('pupeo', '51'), ('brau', '52'), ('odu', '53'), ('romam', '54'), ('viet', '01'), ('kinhviet', '01'),
    ('thotay', '02'), ('ngan', '02'), ('phen', '02'), ('thulao', '02'), ('padi', '02'), ('taykhao', '03'), ('taydam', '03'), ('thaiden', '03'),
    ('thaitrang', '03'), ('taymuoi', '03'), ('taythanh', '03'), ('hangtong', '03'), ('pathay', '03'), ('han', '04'), ('hoahan', '04'), ('trieuchau', '04'),
    ('phuckien', '04'), ('quangdong', '04'), ('hainam', '04'), ('xaphang', '04'), ('khmer', '05'), ('khomekrom', '05'), ('khmerkrom', '05'), ('vietgocmien', '05'),
    ('mol', '06'), ('mual', '06'), ('aota', '06'), ('auta', '06'), ('nungxuong', '07'), ('nunggiang', '07'), ('nungan', '07'), ('nungphanslinh', '07'),
    ('nungchao', '07'), ('nungloi', '07'), ('khenlai', '07'), ('mong', '08'), ('meo', '08'), ('hmongmeo', '08'), ('meoxanh', '08'), ('meodo', '08'),
    ('meoden', '08'), ('nameo', '08'), ('daodo', '09'), ('daotien', '09'), ('daoquantrang', '09'), ('daoquanchet', '09'), ('daothanhy', '09'), ('daologang', '09'),
    ('daolanten', '09'), ('yao', '09'), ('jarai', '10'), ('giorai', '10'), ('chorai', '10'), ('tobuan', '10'), ('xin', '11'), ('khachgia', '11'),
    ('rhade', '12'), ('rade', '12'), ('adham', '12'), ('mdhur', '12'), ('bahnar', '13'), ('golar', '13'), ('tolo', '13'), ('giolang', '13'),
    ('rongao', '13'), ('konkde', '13'), ('alacong', '13'), ('kpangcong', '13'), ('sedang', '14'), ('xoteng', '14'), ('hdang', '14'), ('todra', '14'),
    ('monam', '14'), ('cadong', '14'), ('halang', '14'), ('sanchaycaolansanchi', '15'), ('caolan', '15'), ('sanchi', '15'), ('caolansanchi', '15'), ('honban', '15'),
    ('kho', '16'), ('koho', '16'), ('xre', '16'), ('codon', '16'), ('toring', '16'), ('chiemthanh', '17'), ('hroi', '17'), ('sandeo', '18'),
    ('traidat', '18'), ('manquancoc', '18'), ('chamre', '19'), ('chom', '19'), ('kreluy', '19'), ('monong', '20'), ('pnong', '20'), ('pre', '20'),
    ('budang', '20'), ('dipri', '20'), ('biat', '20'), ('rolam', '20'), ('chilmnong', '20'), ('raclay', '21'), ('laoang', '21'), ('noang', '21'),
    ('xadieng', '22'), ('stieng', '22'), ('bulo', '22'), ('budek', '22'), ('bubiek', '22'), ('vankieu', '23'), ('bru', '23'), ('mangcoong', '23'),
    ('khua', '23'), ('danlai', '24'), ('lyha', '24'), ('taypong', '24'), ('nhang', '25'), ('dang', '25'), ('pauthinnuna', '25'), ('cuichu', '25'),
    ('katu', '26'), ('catu', '26'), ('gie', '27'), ('trieng', '27'), ('bnoong', '27'), ('chauma', '28'), ('mangan', '28'), ('maxop', '28'),
    ('mato', '28'), ('makrung', '28'), ('khmu', '29'), ('kmhmu', '29'), ('xacau', '29'), ('munxen', '29'), ('puthenh', '29'), ('tenh', '29'),
    ('tayhay', '29'), ('cor', '30'), ('toioi', '31'), ('paco', '31'), ('pahi', '31'), ('bahi', '31'), ('doro', '32'), ('chauro', '32'),
    ('xasua', '33'), ('xadon', '33'), ('xadang', '33'), ('xahoc', '33'), ('xaai', '33'), ('xabung', '33'), ('quanglam', '33'), ('puoc', '34'),
    ('pua', '34'), ('hanhigia', '35'), ('uni', '35'), ('xauni', '35'), ('choru', '36'), ('laoboc', '37'), ('laonoi', '37'), ('cute', '38'),
    ('laqua', '38'), ('khlaphlao', '39'), ('bokhopa', '40'), ('mudi', '40'), ('paxa', '40'), ('vaxo', '40'), ('pudang', '41'), ('khuxung', '41'),
    ('coxung', '41'), ('khaquy', '41'), ('nhuonduon', '42'), ('malieng', '44'), ('arem', '44'), ('tuvang', '44'), ('paleng', '44'), ('xolang', '44'),
    ('tohung', '44'), ('chacui', '44'), ('taccui', '44'), ('umo', '44'), ('mangu', '45'), ('pahung', '46'), ('xamkhong', '48'), ('mangnhe', '48'),
    ('xaxeng', '48'), ('chungcha', '49'), ('tronggia', '49'), ('tudi', '49'), ('tudin', '49'), ('cudexu', '50'), ('khape', '50'), ('kapeo', '51'),
    ('pentilolo', '51'), ('brao', '52'), ('tayhat', '53')
)
UPDATE "candidate_profiles" t SET "ethnicity_code" = keys.code
  FROM keys
 WHERE t."ethnicity_code" IS NULL
   AND keys.key = regexp_replace(regexp_replace(lower(translate(normalize(t."ethnicity", NFC), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ', 'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy')), '[^a-z0-9]+', '', 'g'), '^(dantoc|nguoi)(?=[a-z])', '');
