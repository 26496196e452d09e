import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { ApiError } from "../../app/api.ts";

/**
 * A write with its success message, then every query under `key` read again (the desk's "vold", the grid page's
 * "volg", the teams' "teams"); a refusal shows the server's message in Chinese and answers undefined.
 */
export function useActThen(key: string) {
  const { message } = App.useApp();
  const qc = useQueryClient();
  return async <T>(fn: () => Promise<T>, ok = "已完成") => {
    try {
      const r = await fn();
      message.success(ok);
      await qc.invalidateQueries({ queryKey: [key] });
      return r;
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
      return undefined;
    }
  };
}
