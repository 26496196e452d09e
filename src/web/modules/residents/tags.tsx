import { Tag } from "antd";
import { useTranslation } from "react-i18next";

const COLORS: Record<string, string> = {
  living_alone: "volcano",
  empty_nest: "orange",
  aged_80_plus: "gold",
  disabled_care: "red",
  severe_disability: "magenta",
  chronic_disease: "purple",
  low_income: "cyan",
  maternal: "pink",
  left_behind_child: "green",
};

/** Key-population tags as coloured labels in the current language. */
export function ResidentTags({ tags }: { tags: string[] }) {
  const { t } = useTranslation();
  return (
    <>
      {tags.map((k) => (
        <Tag key={k} color={COLORS[k]} style={{ marginBottom: 2 }}>
          {t(`tag.${k}`, { defaultValue: k })}
        </Tag>
      ))}
    </>
  );
}
