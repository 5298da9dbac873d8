import { inject } from 'vitest';
import { CHECKOUT_BIND } from './checkout.js';
import { Container } from './container.js';
import { UserSession } from './user-session.js';

declare module 'vitest' {
  export interface ProvidedContext {
    systemdSuite: { root: string; factsFile: string };
  }
}

/** A booted container with the project and the fixtures bound read-only, and the lingering user's manager up. */
export class Machine {
  private constructor(
    readonly container: Container,
    public user: UserSession,
  ) {}

  static async start(): Promise<Machine> {
    const container = Container.create({ root: inject('systemdSuite').root, readOnlyBinds: [CHECKOUT_BIND] });
    try {
      await container.boot();
      return new Machine(container, await UserSession.create(container));
    } catch (error) {
      await container.dispose();
      throw error;
    }
  }

  /** Boots again after a shutdown or power cut; the user's manager comes up by linger, as after a real reboot. */
  async bootAgain(): Promise<void> {
    await this.container.boot();
    this.user = await UserSession.attach(this.container);
  }

  async dispose(): Promise<void> {
    await this.container.dispose();
  }
}
