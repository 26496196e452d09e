import { HeartOutlined } from "@ant-design/icons";
import { Card, Flex, Grid, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useMe } from "../../app/auth.tsx";

/**
 * 志愿任务: where a volunteer lands. The volunteer module has not landed yet; until it does, the page says
 * what will be here, so a volunteer who signs in is told, not left at an empty menu.
 */
export default function TasksPage() {
  const { t } = useTranslation();
  const me = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const coming = t("tasks.coming", { returnObjects: true }) as string[];
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {t("tasks.title")}
      </Typography.Title>
      <Typography.Text type="secondary">
        {me.displayName} · {me.org.name}
      </Typography.Text>
      <Card data-testid="tasks-coming">
        <Flex vertical gap={8}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            <HeartOutlined /> {t("tasks.notYet")}
          </Typography.Text>
          <ul style={{ margin: 0, paddingLeft: 20, lineHeight: 2 }}>
            {coming.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <Typography.Text type="secondary">{t("tasks.meanwhile")}</Typography.Text>
        </Flex>
      </Card>
    </Flex>
  );
}
