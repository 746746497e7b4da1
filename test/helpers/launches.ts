/** Test cleanup: stops training processes a failed launcher test may have left running. */
import { prisma } from "@/lib/server/db/prisma";

export async function killLeftoverLaunches(): Promise<void> {
  const left = await prisma.launch.findMany({ where: { exitedAt: null, pid: { not: null } }, select: { pid: true } }).catch(() => []);
  for (const { pid } of left) {
    try {
      process.kill(-pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
