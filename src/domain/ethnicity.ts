/*
 * The 54 ethnic groups of Việt Nam as coded by the General Statistics Office (Danh mục các thành
 * phần dân tộc Việt Nam, Decision 121-TCTK/PPCĐ of 2 March 1979): code, Vietnamese name (NFC) and
 * spellings met in forms and imports. Decree 170/2025 Art. 3(2)(c) lets a recruitment plan reserve
 * positions for ethnic-minority candidates (every group but Kinh) and fix the groups to recruit;
 * the code is what those reservations compare.
 *
 * Matching is on a key: NFC, diacritics removed (đ → d), lower case, and everything but letters
 * and digits dropped, so "Ê Đê", "Ê-đê", "Êđê" and "ede" are one key; a leading "dân tộc" or
 * "người" is ignored. Only whole keys match (no fuzzy matching): a value that is none of the names
 * or aliases stays unmapped and is reported, never guessed.
 */

export type EthnicGroup = {
  /** Two digits, 01 … 54. */
  code: string;
  /** The list's name (NFC). */
  name: string;
  /** Other spellings and names that mean this group (matched like the name). */
  aliases: readonly string[];
};

/** The code of the majority group: every other group is an ethnic minority (dân tộc thiểu số). */
export const KINH_CODE = '01';

export const ETHNIC_GROUPS: readonly EthnicGroup[] = [
  { code: '01', name: 'Kinh', aliases: ['Việt', 'Kinh (Việt)'] },
  { code: '02', name: 'Tày', aliases: ['Tay', 'Thổ Tày', 'Ngạn', 'Phén', 'Thù Lao', 'Pa Dí'] },
  { code: '03', name: 'Thái', aliases: ['Thai', 'Tày Khao', 'Tày Đăm', 'Thái Đen', 'Thái Trắng', 'Tày Mười', 'Tày Thanh', 'Hàng Tổng', 'Pa Thay'] },
  { code: '04', name: 'Hoa', aliases: ['Hán', 'Hoa (Hán)', 'Người Hoa', 'Triều Châu', 'Phúc Kiến', 'Quảng Đông', 'Hải Nam', 'Xạ Phạng'] },
  { code: '05', name: 'Khơ-me', aliases: ['Khmer', 'Khơ Me', 'Khome', 'Khơ-me Krôm', 'Khmer Krom', 'Việt gốc Miên'] },
  { code: '06', name: 'Mường', aliases: ['Muong', 'Mol', 'Mual', 'Ao Tá', 'Âu Tá'] },
  { code: '07', name: 'Nùng', aliases: ['Nung', 'Nùng Xuồng', 'Nùng Giang', 'Nùng An', 'Nùng Phàn Slình', 'Nùng Cháo', 'Nùng Lòi', 'Khèn Lài'] },
  { code: '08', name: 'HMông', aliases: ["H'Mông", 'Mông', 'Hmong', 'H’Mông', 'Mèo', 'HMông (Mèo)', 'Mẹo', 'Mèo Xanh', 'Mèo Đỏ', 'Mèo Đen', 'Ná Mẻo'] },
  { code: '09', name: 'Dao', aliases: ['Dao Đỏ', 'Dao Tiền', 'Dao Quần Trắng', 'Dao Quần Chẹt', 'Dao Thanh Y', 'Dao Lô Gang', 'Dao Lan Tẻn', 'Yao'] },
  { code: '10', name: 'Gia-rai', aliases: ['Gia Rai', 'Jarai', 'Giơ-rai', 'Chơ-rai', 'Tơ-buăn'] },
  { code: '11', name: 'Ngái', aliases: ['Ngai', 'Xín', 'Khách Gia'] },
  { code: '12', name: 'Ê-đê', aliases: ['Ê Đê', 'Êđê', 'Ede', 'Rhade', 'Ra-đê', 'A-đham', 'Mdhur'] },
  { code: '13', name: 'Ba Na', aliases: ['Ba-na', 'Bana', 'Bahnar', 'Gơ-lar', 'Tơ-lô', 'Giơ-lâng', 'Rơ-ngao', 'Kon Kđe', 'A-la Công', 'Kpăng Công'] },
  { code: '14', name: 'Xơ-đăng', aliases: ['Xơ Đăng', 'Sedang', 'Xơ-teng', 'Hđang', 'Tơ-đra', 'Mơ-nâm', 'Ca Dong', 'Ha-lăng'] },
  { code: '15', name: 'Sán Chay', aliases: ['Sán Chay (Cao Lan - Sán Chỉ)', 'Cao Lan', 'Sán Chỉ', 'Cao Lan - Sán Chỉ', 'Hờn Bạn'] },
  { code: '16', name: 'Cơ-ho', aliases: ['Cơ Ho', 'K’Ho', "K'Ho", 'Koho', 'Xrê', 'Cơ-don', 'Tơ-ring'] },
  { code: '17', name: 'Chăm', aliases: ['Cham', 'Chàm', 'Chiêm Thành', 'Hroi'] },
  { code: '18', name: 'Sán Dìu', aliases: ['San Diu', 'Sán Déo', 'Trại Đất', 'Mán Quần Cộc'] },
  { code: '19', name: 'Hrê', aliases: ['Hre', 'H’rê', "H're", 'Chăm Rê', 'Chom', 'Krẹ Luỹ'] },
  { code: '20', name: 'Mnông', aliases: ['M’Nông', "M'Nông", 'Mơ Nông', 'Mnong', 'Pnông', 'Pré', 'Bu-đâng', 'ĐiPri', 'Biat', 'Rơ-lam', 'Chil Mnông'] },
  { code: '21', name: 'Ra-glai', aliases: ['Ra Glai', 'Raglai', 'Ra-clây', 'La Oang', 'Noang'] },
  { code: '22', name: 'Xtiêng', aliases: ['X’Tiêng', "X'Tiêng", 'Xa Điêng', 'Stieng', 'Stiêng', 'Bù Lơ', 'Bù Đek', 'Bù Biêk'] },
  { code: '23', name: 'Bru-Vân Kiều', aliases: ['Bru Vân Kiều', 'Vân Kiều', 'Bru', 'Măng Coong', 'Khùa'] },
  { code: '24', name: 'Thổ', aliases: ['Tho', 'Đan Lai', 'Ly Hà', 'Tày Pọng'] },
  { code: '25', name: 'Giáy', aliases: ['Giay', 'Nhắng', 'Dẩng', 'Pầu Thìn Nu Nà', 'Cùi Chu'] },
  { code: '26', name: 'Cơ-tu', aliases: ['Cơ Tu', 'Katu', 'Ca-tu', 'Cờ-tu'] },
  { code: '27', name: 'Gié-Triêng', aliases: ['Gié Triêng', 'Giẻ Triêng', 'Giẻ-Triêng', 'Gié', 'Giẻ', 'Triêng', 'Bnoong'] },
  { code: '28', name: 'Mạ', aliases: ['Châu Mạ', 'Mạ Ngăn', 'Mạ Xóp', 'Mạ Tô', 'Mạ Krung'] },
  { code: '29', name: 'Khơ-mú', aliases: ['Khơ Mú', 'Khmu', 'Kmhmu', 'Xá Cẩu', 'Mứn Xen', 'Pu Thênh', 'Tềnh', 'Tày Hạy'] },
  { code: '30', name: 'Co', aliases: ['Cor'] },
  { code: '31', name: 'Tà-ôi', aliases: ['Tà Ôi', 'Ta Oi', 'Tôi-ôi', 'Pa-co', 'Pa-hi', 'Ba-hi'] },
  { code: '32', name: 'Chơ-ro', aliases: ['Chơ Ro', 'Choro', 'Dơ-ro', 'Châu-ro'] },
  { code: '33', name: 'Kháng', aliases: ['Khang', 'Xá Khao', 'Xá Súa', 'Xá Dón', 'Xá Dẩng', 'Xá Hốc', 'Xá Ái', 'Xá Bung', 'Quảng Lâm'] },
  { code: '34', name: 'Xinh-mun', aliases: ['Xinh Mun', 'Xinhmun', 'Puộc', 'Pụa'] },
  { code: '35', name: 'Hà Nhì', aliases: ['Ha Nhi', 'Hà Nhì Già', 'U Ni', 'Xá U Ni'] },
  { code: '36', name: 'Chu-ru', aliases: ['Chu Ru', 'Churu', 'Chơ-ru'] },
  { code: '37', name: 'Lào', aliases: ['Lao', 'Lào Bốc', 'Lào Nọi'] },
  { code: '38', name: 'La Chí', aliases: ['La Chi', 'Cù Tê', 'La Quả'] },
  { code: '39', name: 'La Ha', aliases: ['Xá Khao', 'Khlá Phlạo'] },
  { code: '40', name: 'Phù Lá', aliases: ['Phu La', 'Bồ Khô Pạ', 'Mu Di', 'Pạ Xá', 'Va Xơ'] },
  { code: '41', name: 'La Hủ', aliases: ['La Hu', 'Lao', 'Pu Đang', 'Khù Xung', 'Cò Xung', 'Khả Quy'] },
  { code: '42', name: 'Lự', aliases: ['Lừ', 'Nhuồn Duôn', 'Mun Di'] },
  { code: '43', name: 'Lô Lô', aliases: ['Lolo', 'Lô-lô', 'Mun Di'] },
  { code: '44', name: 'Chứt', aliases: ['Chut', 'Mã-liêng', 'A-rem', 'Tu vang', 'Pa-leng', 'Xơ-lang', 'Tơ-hung', 'Chà-củi', 'Tắc-củi', 'U-mo', 'Xá Lá Vàng'] },
  { code: '45', name: 'Mảng', aliases: ['Mang', 'Mảng Ư', 'Xá Lá Vàng'] },
  { code: '46', name: 'Pà Thẻn', aliases: ['Pa Then', 'Pà Hưng'] },
  { code: '47', name: 'Co Lao', aliases: ['Cơ Lao', 'Cờ Lao', 'Colao'] },
  { code: '48', name: 'Cống', aliases: ['Cong', 'Xắm Khống', 'Mấng Nhé', 'Xá Xeng'] },
  { code: '49', name: 'Bố Y', aliases: ['Bo Y', 'Chủng Chá', 'Trọng Gia', 'Tu Dí', 'Tu Din'] },
  { code: '50', name: 'Si La', aliases: ['Sila', 'Cù Dề Xừ', 'Khả Pẻ'] },
  { code: '51', name: 'Pu Péo', aliases: ['Pu Peo', 'Ka Pèo', 'Pen Ti Lô Lô'] },
  { code: '52', name: 'Brâu', aliases: ['Brau', 'Brao'] },
  { code: '53', name: 'Ơ Đu', aliases: ['Ơ-đu', 'Ơđu', 'O Du', 'Tày Hạt'] },
  { code: '54', name: 'Rơ-măm', aliases: ['Rơ Măm', 'Romam', 'Ro Mam'] },
];

/** NFC, diacritics removed (đ → d), lower case, letters and digits only; a leading "dân tộc" / "người" dropped. */
export function ethnicityKey(value: string): string {
  const key = value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '');
  const stripped = key.replace(/^(dantoc|nguoi)(?=[a-z])/u, '');
  return stripped;
}

const byCode = new Map(ETHNIC_GROUPS.map((g) => [g.code, g]));

/**
 * Keys that name two groups in the sources (e.g. "Xá Khao" for Kháng and La Ha, "Mun Di" for Lự and
 * Lô Lô, "Lao" for Lào and La Hủ once diacritics are gone): they match neither and stay unmapped,
 * except where one of them is a group's own name (its name wins: "Lao" is Lào).
 */
function buildIndex(): Map<string, string> {
  const names = new Map<string, string>();
  for (const g of ETHNIC_GROUPS) names.set(ethnicityKey(g.name), g.code);
  const aliases = new Map<string, string | null>();
  for (const g of ETHNIC_GROUPS) {
    for (const a of g.aliases) {
      const k = ethnicityKey(a);
      if (names.has(k)) continue;
      const seen = aliases.get(k);
      aliases.set(k, seen === undefined || seen === g.code ? g.code : null);
    }
  }
  const index = new Map(names);
  for (const [k, code] of aliases) if (code !== null) index.set(k, code);
  return index;
}

/** Every matching key and its code (the migration 0029 maps stored values with the same table). */
export const ETHNICITY_KEYS: ReadonlyMap<string, string> = buildIndex();

/** The group a free-text ethnicity names, or undefined when it names none (or names two). */
export function matchEthnicity(value: string | null | undefined): EthnicGroup | undefined {
  if (value === null || value === undefined) return undefined;
  const key = ethnicityKey(value);
  if (key === '') return undefined;
  const code = ETHNICITY_KEYS.get(key);
  return code === undefined ? undefined : byCode.get(code);
}

export function ethnicGroupByCode(code: string): EthnicGroup | undefined {
  return byCode.get(code);
}

export const ETHNIC_CODES: readonly string[] = ETHNIC_GROUPS.map((g) => g.code);

/** Every group but Kinh is an ethnic minority (dân tộc thiểu số). */
export const isEthnicMinority = (code: string | null | undefined): boolean => code !== null && code !== undefined && code !== KINH_CODE && byCode.has(code);

/** A quota's reservation (Decree 170/2025 Art. 3(2)(c)): minorities only, or named groups with their slots where the plan sets them. */
export type EthnicRestriction = {
  ethnicMinorityOnly: boolean;
  ethnicGroups: readonly { code: string; slots: number | null }[];
};

export const isRestricted = (r: EthnicRestriction): boolean => r.ethnicMinorityOnly || r.ethnicGroups.length > 0;

/** Whether a candidate of ethnicity `code` (null: unmapped or absent) may take a place in the quota. */
export function admits(r: EthnicRestriction, code: string | null | undefined): boolean {
  if (!isRestricted(r)) return true;
  if (!isEthnicMinority(code)) return false;
  return r.ethnicGroups.length === 0 || r.ethnicGroups.some((g) => g.code === code);
}

/** The restriction in words: "reserved for ethnic-minority candidates" / "reserved for Tày (2 slots), Nùng". */
export function describeRestriction(r: EthnicRestriction): string {
  if (r.ethnicGroups.length === 0) return 'reserved for ethnic-minority candidates (every group but Kinh)';
  const groups = r.ethnicGroups.map((g) => `${byCode.get(g.code)?.name ?? g.code} (${g.code})${g.slots !== null ? `: ${g.slots} slot${g.slots === 1 ? '' : 's'}` : ''}`);
  return `reserved for candidates of the ${groups.length === 1 ? 'group' : 'groups'} ${groups.join(', ')}`;
}
