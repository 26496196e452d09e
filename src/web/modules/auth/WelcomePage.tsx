import { SmileOutlined } from "@ant-design/icons";
import { Result } from "antd";
import { useTranslation } from "react-i18next";
import { useMe } from "../../app/auth.tsx";

/** Landing page for roles without resident access (volunteers for now; their modules come later). */
export default function WelcomePage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <Result
      icon={<SmileOutlined />}
      title={<h1 style={{ font: "inherit", margin: 0, color: "inherit" }}>{t("welcome.title")}</h1>}
      subTitle={
        <>
          <p>
            {me.displayName} · {me.org.name}
          </p>
          <p style={{ fontSize: 16, color: "#d46b08" }}>{t("welcome.noResidentAccess")}</p>
          <p>{t("welcome.comingSoon")}</p>
        </>
      }
    />
  );
}
