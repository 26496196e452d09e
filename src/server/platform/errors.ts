// Typed errors, mapped once (in app.ts) to DESIGN §5's shape: { error: { code, message, details } }.

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export const Invalid = (message: string, fields: FieldError[] = []) =>
  new AppError(400, "invalid", message, { fields });
export const Unauthenticated = (message = "请先登录") => new AppError(401, "unauthenticated", message);
export const Forbidden = (message = "无权访问该资源") => new AppError(403, "forbidden", message);
export const NotFound = (message = "记录不存在") => new AppError(404, "not_found", message);
export const Conflict = (message: string, details?: unknown) =>
  new AppError(409, "conflict", message, details);
export const Unprocessable = (message: string, details?: unknown) =>
  new AppError(422, "unprocessable", message, details);
export const TooMany = (message: string, retryAfterSeconds: number) =>
  new AppError(
    429,
    "too_many_requests",
    message,
    { retryAfterSeconds },
    {
      "retry-after": String(retryAfterSeconds),
    },
  );

export const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
      required: ["code", "message"],
    },
  },
  required: ["error"],
} as const;
