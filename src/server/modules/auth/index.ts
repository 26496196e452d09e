// Sign-in and sessions: the face other modules and the platform's auth gate use.
export { hashPassword, passwordProblems } from "./passwords.ts";
export { authPolicy, maySignIn } from "./policy.ts";
export { authRoutes as routes } from "./routes.ts";
export { sessionActor } from "./service.ts";
