// Background jobs (long imports): the face.

export { JobSchema, type JobView } from "./presenter.ts";
export { jobRoutes as routes } from "./routes.ts";
export {
  defineJobKind,
  haltJobs,
  JobCancelled,
  type JobKind,
  type RunningJob,
  resumeJobs,
  settleJobs,
  startJob,
} from "./service.ts";
