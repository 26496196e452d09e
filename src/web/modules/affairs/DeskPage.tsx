import { Flex, Tabs, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { DeliberationTab } from "./DeliberationTab.tsx";
import { EnterprisesTab } from "./EnterprisesTab.tsx";
import { KeyProjectsTab } from "./KeyProjectsTab.tsx";
import { ProjectsTab } from "./ProjectsTab.tsx";

/** The street's or community's desk: practical projects, deliberation, key projects, enterprise inspections. */
export default function AffairsDeskPage() {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t("affairs.desk.title")}
      </Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: "projects", label: t("affairs.desk.projects"), children: <ProjectsTab /> },
          { key: "deliberations", label: t("affairs.desk.deliberations"), children: <DeliberationTab /> },
          { key: "key", label: t("affairs.desk.keyProjects"), children: <KeyProjectsTab /> },
          { key: "enterprises", label: t("affairs.desk.enterprises"), children: <EnterprisesTab /> },
        ]}
      />
    </Flex>
  );
}
