// Schema validation failures in Chinese, naming the field: what a form shows under the field and what an
// API client reads. One table, from the validator's keyword and parameters, instead of its English text.

/** Chinese names of the fields routes take, for messages like "搜索词: 不能超过 30 个字". */
export const FIELD_LABELS: Record<string, string> = {
  username: "用户名",
  password: "密码",
  name: "姓名",
  idNumber: "身份证号",
  phone: "电话",
  householdId: "户",
  residentId: "居民",
  buildingId: "楼栋",
  orgUnitId: "所属网格",
  tags: "标签",
  tag: "标签",
  reason: "理由",
  note: "备注",
  field: "字段",
  page: "页码",
  pageSize: "每页条数",
  limit: "条数",
  q: "搜索词",
  org: "组织",
  version: "版本",
  id: "编号",
  number: "工单号",
  phone4: "手机号后四位",
  channel: "受理渠道",
  categoryCode: "诉求分类",
  description: "诉求内容",
  callerName: "来电人",
  callerPhone: "来电号码",
  address: "地址",
  state: "状态",
  month: "月份",
  from: "开始日期",
  to: "结束日期",
  code: "编码",
  slaPolicy: "时限规则",
  ownerRole: "责任角色",
  department: "责任部门",
  sortOrder: "排序",
  visibility: "公开范围",
  publicWording: "公开措辞",
  action: "操作",
  extra: "延期时长",
  intoOrderId: "合并目标",
  escalateTo: "吹哨对象",
  callback: "回访结果",
  comment: "意见",
  satisfaction: "满意度",
  solved: "是否解决",
  body: "请求内容",
  // 双报到 · 志愿服务: a community's rules, teams and functional party branches.
  pointsPerHour: "每小时积分",
  pointsPerWish: "每个微心愿积分",
  pointsPerRequest: "每次点单积分",
  quarterlyMinHours: "每季度最低服务时长",
  teamName: "队伍名称",
  complex: "小区",
  secretaryMemberId: "书记",
  memberId: "成员",
  communityId: "社区",
};

const TYPE_NAMES: Record<string, string> = {
  integer: "整数",
  number: "数字",
  string: "文字",
  boolean: "是或否",
  array: "列表",
  object: "对象",
  null: "空",
};

const FORMAT_NAMES: Record<string, string> = {
  date: "日期（YYYY-MM-DD）",
  "date-time": "时间",
  email: "电子邮箱",
  uri: "网址",
};

export interface ValidationIssue {
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** What is wrong, in Chinese, without the field's name. */
export function validationMessage(v: ValidationIssue): string {
  const p = v.params ?? {};
  const limited = [
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maximum",
    "minimum",
    "exclusiveMinimum",
    "exclusiveMaximum",
  ];
  if (limited.includes(v.keyword) && p.limit === undefined) return "超出允许的范围";
  switch (v.keyword) {
    case "required":
      return "必填";
    case "maxLength":
      return `不能超过 ${p.limit} 个字`;
    case "minLength":
      return p.limit === 1 ? "不能为空" : `至少 ${p.limit} 个字`;
    case "maxItems":
      return `最多 ${p.limit} 项`;
    case "minItems":
      return `至少 ${p.limit} 项`;
    case "maximum":
      return `不能大于 ${p.limit}`;
    case "minimum":
      return `不能小于 ${p.limit}`;
    case "exclusiveMinimum":
      return `须大于 ${p.limit}`;
    case "exclusiveMaximum":
      return `须小于 ${p.limit}`;
    case "type": {
      const types = String(p.type ?? "")
        .split(",")
        .map((t) => TYPE_NAMES[t] ?? t);
      return p.type ? `应为${types.join("或")}` : "类型不对";
    }
    case "enum":
      return Array.isArray(p.allowedValues) && p.allowedValues.length <= 12
        ? `应为 ${p.allowedValues.join("、")} 之一`
        : "不是可选的值";
    case "const":
      return "取值无效";
    case "pattern":
      return "格式不正确（不能含换行等控制字符，或不符合要求的格式）";
    case "format":
      return `不是有效的${FORMAT_NAMES[String(p.format)] ?? "格式"}`;
    case "additionalProperties":
      return "不允许提交该字段";
    case "anyOf":
    case "oneOf":
      return "取值无效";
    default:
      return "取值无效";
  }
}

/** "label: message", with the field's Chinese name when it has one. */
export function fieldMessage(field: string, v: ValidationIssue): string {
  return `${FIELD_LABELS[field] ?? field}: ${validationMessage(v)}`;
}
