import { type Rng, weightedTable } from "./random.ts";

// Surname shares for Nantong (陈 and 张 lead; 顾, 施, 季, 缪, 瞿 are typical of the region), per cent.
const SURNAMES = weightedTable<string>([
  ["陈", 7.2],
  ["张", 6.8],
  ["王", 6.1],
  ["徐", 3.9],
  ["朱", 3.5],
  ["李", 3.4],
  ["顾", 3.3],
  ["刘", 3.0],
  ["周", 2.6],
  ["吴", 2.6],
  ["杨", 2.4],
  ["施", 2.2],
  ["陆", 2.2],
  ["黄", 2.0],
  ["孙", 1.9],
  ["沈", 1.8],
  ["曹", 1.8],
  ["季", 1.6],
  ["钱", 1.5],
  ["许", 1.5],
  ["赵", 1.5],
  ["姜", 1.3],
  ["范", 1.2],
  ["丁", 1.2],
  ["高", 1.2],
  ["缪", 1.1],
  ["葛", 1.0],
  ["冯", 1.0],
  ["郭", 1.0],
  ["何", 1.0],
  ["邱", 1.0],
  ["严", 0.9],
  ["袁", 0.9],
  ["蒋", 0.9],
  ["倪", 0.9],
  ["胡", 0.9],
  ["汤", 0.8],
  ["邵", 0.8],
  ["宋", 0.8],
  ["唐", 0.8],
  ["蔡", 0.8],
  ["马", 0.7],
  ["龚", 0.6],
  ["卢", 0.6],
  ["成", 0.5],
  ["杭", 0.5],
  ["仇", 0.4],
  ["茅", 0.4],
  ["瞿", 0.4],
  ["冒", 0.3],
  ["石", 0.6],
  ["管", 0.5],
  ["储", 0.4],
  ["秦", 0.5],
  ["于", 0.5],
  ["戴", 0.6],
  ["姚", 0.6],
  ["金", 0.6],
  ["程", 0.5],
  ["俞", 0.4],
  ["谢", 0.5],
  ["毛", 0.4],
  ["江", 0.4],
  ["汪", 0.4],
  ["欧阳", 0.05],
  ["司马", 0.02],
]);

// Given-name characters by generation, so an 85-year-old is 秀英 and a 10-year-old is 梓涵.
const OLD_MALE =
  "建国 国强 志华 德明 永康 长林 金宝 福生 根林 友才 保华 志成 国平 明德 荣生 桂生 洪生 正兴 兆林 海林".split(
    " ",
  );
const OLD_FEMALE =
  "秀英 桂英 玉兰 秀兰 凤英 桂芳 淑珍 秀珍 美英 月英 兰英 素芬 玉珍 菊英 翠兰 金凤 小妹 淑英 秀梅 银花".split(
    " ",
  );
const MID_MALE = "军 伟 勇 强 斌 峰 杰 磊 涛 海军 建华 卫东 晓东 志刚 文斌 红军 春雷 建军 小兵 国华".split(
  " ",
);
const MID_FEMALE = "红 丽 燕 萍 敏 霞 娟 芳 静 红梅 丽华 海燕 晓燕 春燕 小红 雪梅 慧 琴 玲 丽娟".split(" ");
const YOUNG_MALE =
  "浩 宇 俊杰 子豪 晨 浩然 宇航 博文 天宇 子轩 一鸣 梓豪 昊天 睿 家豪 思远 嘉诚 逸飞 明轩 泽宇".split(" ");
const YOUNG_FEMALE =
  "欣怡 梓涵 雨涵 思雨 可馨 诗涵 一诺 雨桐 子涵 佳怡 梦瑶 语嫣 心怡 若曦 晓彤 欣妍 婉清 沐晴 安琪 紫萱".split(
    " ",
  );

export function surname(rng: Rng): string {
  return rng.weighted(SURNAMES);
}

export function givenName(rng: Rng, birthYear: number, male: boolean): string {
  const pool =
    birthYear < 1960
      ? male
        ? OLD_MALE
        : OLD_FEMALE
      : birthYear < 1990
        ? male
          ? MID_MALE
          : MID_FEMALE
        : male
          ? YOUNG_MALE
          : YOUNG_FEMALE;
  return rng.pick(pool);
}
