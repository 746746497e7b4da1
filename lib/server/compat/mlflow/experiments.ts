/**
 * MLflow experiments are Inkstone projects; an experiment's id is the
 * project's id, except MLflow's default experiment "0", which is the project
 * "default" that Inkstone's own SDK logs to when no project is named.
 */
import { z } from "zod";
import { ClientError, notFound } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";

const DEFAULT_EXPERIMENT_ID = "0";
const DEFAULT_PROJECT = "default";
/** MLflow's name for experiment "0". */
const DEFAULT_EXPERIMENT_NAME = "Default";

type Project = { id: string; name: string; createdAt: Date };

export function experimentIdOf(project: Pick<Project, "id" | "name">): string {
  return project.name === DEFAULT_PROJECT ? DEFAULT_EXPERIMENT_ID : project.id;
}

/** The project an experiment id names; experiment "0" is created on first use. */
export async function projectOfExperiment(experimentId: string | undefined): Promise<Project> {
  if (!experimentId || experimentId === DEFAULT_EXPERIMENT_ID) {
    return prisma.project.upsert({ where: { name: DEFAULT_PROJECT }, create: { name: DEFAULT_PROJECT }, update: {} });
  }
  const project = experimentId.length <= 64 ? await prisma.project.findUnique({ where: { id: experimentId } }) : null;
  if (!project) throw notFound(`no experiment with id ${experimentId}`);
  return project;
}

function describe(project: Project) {
  const id = experimentIdOf(project);
  return {
    experiment_id: id,
    name: id === DEFAULT_EXPERIMENT_ID ? DEFAULT_EXPERIMENT_NAME : project.name,
    artifact_location: `mlflow-artifacts:/${id}`,
    lifecycle_stage: "active",
    creation_time: project.createdAt.getTime(),
    last_update_time: project.createdAt.getTime(),
    tags: [],
  };
}

export async function getExperiment(query: URLSearchParams) {
  return { experiment: describe(await projectOfExperiment(query.get("experiment_id") ?? undefined)) };
}

export async function getExperimentByName(query: URLSearchParams) {
  const name = query.get("experiment_name") ?? "";
  if (name === DEFAULT_EXPERIMENT_NAME) return { experiment: describe(await projectOfExperiment(DEFAULT_EXPERIMENT_ID)) };
  const project = name ? await prisma.project.findUnique({ where: { name } }) : null;
  if (!project) throw notFound(`no experiment named ${JSON.stringify(name)}`);
  return { experiment: describe(project) };
}

const createSchema = z.object({ name: z.string().trim().min(1, "name must not be empty").max(LIMITS.keyLength) }).passthrough();

export async function createExperiment(payload: unknown) {
  const { name } = parseInput(createSchema, payload);
  if (await prisma.project.findUnique({ where: { name } })) throw new ClientError(409, `experiment ${JSON.stringify(name)} already exists`);
  const project = await prisma.project.upsert({ where: { name }, create: { name }, update: {} });
  return { experiment_id: experimentIdOf(project) };
}
