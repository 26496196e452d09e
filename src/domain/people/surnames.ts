// Chinese surnames that public text masks before a form of address (王女士 → *女士). The common ones by
// population (Ministry of Public Security counts), with Nantong's own (顾, 施, 季, 缪, 瞿, 冒, 储) — but not
// the rare surnames that are everyday words before 阿姨/师傅/老师/老人 in a resident's request: 安 (保安师傅),
// 车 (出租车师傅), 区 (小区老人), 居 (独居老人), 边 (旁边阿姨), 向 (向老师反映), 和 (和阿姨说), 工, 门, 楼,
// 家, 年, 能, 巢, 师, 东, 西, 南, 北, 由, 同, 有, 新, 花, 后, 水, 路, 游, 全. Masking a real 楼阿姨 as well would cost every
// 对楼阿姨 its meaning; the resident's own name is masked separately when we know it.
const SINGLE =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈" +
  "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤" +
  "易常乔赖文施季缪瞿冒储管葛倪仇茅杭成俞伍殷尤庞庄颜樊詹牛聂鲁岳齐包柴宁甘温饶关章蓝卜阮纪欧柳鲍" +
  "丘翟骆晏裴凌苗单艾邢滕洪祝左郁冉舒宫卓童诸芦靳奚焦祁谷翁柯申郎米霍桂屠蒲栾井盛穆吉" +
  "隋荣习房费虞宗尚蔺窦阎";

/** Two-character surnames, matched before their first character alone. */
const COMPOUND = [
  "欧阳",
  "司马",
  "上官",
  "诸葛",
  "东方",
  "皇甫",
  "尉迟",
  "公孙",
  "慕容",
  "司徒",
  "令狐",
  "夏侯",
  "长孙",
  "宇文",
  "轩辕",
  "端木",
  "南宫",
  "西门",
  "独孤",
  "申屠",
  "澹台",
  "万俟",
  "闻人",
  "钟离",
];

export const SURNAMES: ReadonlySet<string> = new Set([...SINGLE, ...COMPOUND]);

/** A regular-expression alternative of every surname, compound ones first so 欧阳 wins over 欧. */
export const SURNAME_PATTERN = [...COMPOUND, `[${SINGLE}]`].join("|");
