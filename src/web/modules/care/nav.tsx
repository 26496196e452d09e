import {
  AlertOutlined,
  CalendarOutlined,
  HeartOutlined,
  PrinterOutlined,
  SwapOutlined,
  TableOutlined,
} from "@ant-design/icons";
import type { TFunction } from "i18next";

// The care screens' place in the shell: menu items (by permission), where each opens, and which
// pages follow the org navigator through ?org=.

/** Care pages whose scope follows the navigator (?org=). */
export const CARE_SCOPED = ["/care/ledger", "/care/visits", "/care/referrals", "/care/teams", "/care/cards"];

const SECTIONS: [prefix: string, key: string][] = [
  ["/care/ledger", "care-ledger"],
  ["/care/residents", "care-ledger"],
  ["/care/visits", "care-visits"],
  ["/care/followups", "care-followups"],
  ["/care/referrals", "care-referrals"],
  ["/care/teams", "care-teams"],
  ["/care/cards", "care-cards"],
];

/** The menu key of a care path, or undefined outside the care screens. */
export function careSection(pathname: string): string | undefined {
  return SECTIONS.find(([prefix]) => pathname.startsWith(prefix))?.[1];
}

export function careTargets(withOrg: (path: string) => string): Record<string, () => string> {
  return {
    "care-ledger": () => withOrg("/care/ledger"),
    "care-visits": () => withOrg("/care/visits"),
    "care-followups": () => "/care/followups",
    "care-referrals": () => withOrg("/care/referrals"),
    "care-teams": () => withOrg("/care/teams"),
    "care-cards": () => withOrg("/care/cards"),
  };
}

/** The 重点人群关爱 menu group, or nothing when the account sees none of it. */
export function careMenuGroup(can: (p: string) => boolean, t: TFunction) {
  const items = [
    can("care.read") && { key: "care-ledger", icon: <TableOutlined />, label: t("care.nav.ledger") },
    can("care.write") && { key: "care-visits", icon: <HeartOutlined />, label: t("care.nav.visits") },
    can("health.write") && {
      key: "care-followups",
      icon: <AlertOutlined />,
      label: t("care.nav.followups"),
    },
    can("referral.read") && { key: "care-referrals", icon: <SwapOutlined />, label: t("care.nav.referrals") },
    can("care.read") && { key: "care-teams", icon: <CalendarOutlined />, label: t("care.nav.teams") },
    can("care.read") && { key: "care-cards", icon: <PrinterOutlined />, label: t("care.nav.cards") },
  ].filter((i) => !!i);
  return items.length
    ? [{ type: "group" as const, key: "g-care", label: t("care.nav.group"), children: items }]
    : [];
}
