import { CarryOutOutlined, HomeOutlined } from "@ant-design/icons";
import type { TFunction } from "i18next";

// The campaigns screens' place in the shell: menu items by permission, and where each opens.

export function campaignSection(pathname: string): string | undefined {
  if (pathname.startsWith("/campaigns/field")) return "campaigns-field";
  if (pathname.startsWith("/campaigns")) return "campaigns-desk";
  return undefined;
}

export function campaignTargets(): Record<string, () => string> {
  return {
    "campaigns-desk": () => "/campaigns",
    "campaigns-field": () => "/campaigns/field",
  };
}

/** The 敲门行动 menu group, or nothing when the account has no part in it. */
export function campaignMenuGroup(can: (p: string) => boolean, t: TFunction) {
  const items = [
    can("campaign.field") && {
      key: "campaigns-field",
      icon: <HomeOutlined />,
      label: t("campaigns.nav.field"),
    },
    can("campaign.read") && {
      key: "campaigns-desk",
      icon: <CarryOutOutlined />,
      label: t("campaigns.nav.desk"),
    },
  ].filter((i) => !!i);
  return items.length
    ? [{ type: "group" as const, key: "g-campaigns", label: t("campaigns.nav.group"), children: items }]
    : [];
}
