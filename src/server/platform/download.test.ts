import { parse } from "content-disposition";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { MIME, sendDownload } from "./download.ts";

// The one way files leave the app: the content type of the kind, and a Content-Disposition whose Chinese
// name survives (filename*) beside an ASCII name for old clients.
describe("sendDownload", () => {
  const app = Fastify();
  app.get("/zh", (_req, reply) =>
    sendDownload(reply, {
      kind: "pdf",
      filename: "崇川区信息日报2026-12-01.pdf",
      fallback: "daily-report-2026-12-01.pdf",
      body: Buffer.from("%PDF-1.4"),
    }),
  );
  app.get("/ascii", (_req, reply) =>
    sendDownload(reply, { kind: "xlsx", filename: "roster-7-flagged.xlsx", body: Buffer.from("PK") }),
  );
  app.get("/card", (_req, reply) =>
    sendDownload(reply, {
      kind: "pdf",
      filename: "care-card-3.pdf",
      inline: true,
      body: Buffer.from("%PDF"),
    }),
  );
  app.get("/auto", (_req, reply) =>
    sendDownload(reply, { kind: "csv", filename: '苏阳 "名单".csv', body: "a,b\n" }),
  );

  it("puts a Chinese name in filename* and the given ASCII one in filename", async () => {
    const res = await app.inject("/zh");
    expect(res.headers["content-type"]).toBe(MIME.pdf);
    const cd = String(res.headers["content-disposition"]);
    expect(cd).toBe(
      `attachment; filename=daily-report-2026-12-01.pdf; filename*=UTF-8''${encodeURIComponent("崇川区信息日报2026-12-01.pdf")}`,
    );
    // What a browser saves it as.
    expect(parse(cd).parameters.filename).toBe("崇川区信息日报2026-12-01.pdf");
    expect(res.body).toBe("%PDF-1.4");
  });

  it("leaves an ASCII name as it is, and shows a card inline", async () => {
    const xlsx = await app.inject("/ascii");
    expect(xlsx.headers["content-type"]).toBe(MIME.xlsx);
    expect(xlsx.headers["content-disposition"]).toBe("attachment; filename=roster-7-flagged.xlsx");
    const card = await app.inject("/card");
    expect(card.headers["content-disposition"]).toBe("inline; filename=care-card-3.pdf");
  });

  it("quotes what needs quoting and makes up an ASCII name when none is given", async () => {
    const res = await app.inject("/auto");
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const cd = String(res.headers["content-disposition"]);
    expect(cd).toMatch(/^attachment; filename="[ -~]+"; filename\*=UTF-8''/);
    expect(parse(cd).parameters.filename).toBe('苏阳 "名单".csv');
    expect(cd).not.toMatch(/[^\x20-\x7e]/);
  });
});
