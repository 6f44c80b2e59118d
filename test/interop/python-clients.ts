import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Python interpreters the interop suites drive: Debian's (confluent-kafka 1.7.0 on
 * librdkafka 2.0.2, kafka-python 2.0.2) and a virtual environment with confluent-kafka from
 * PyPI, whose wheel bundles a current librdkafka (scripts/ensure-clients.sh makes it and exports
 * its interpreter as SLIPSTREAM_CONFLUENT_PYPI_PYTHON).
 */

export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Keep in step with CONFLUENT_KAFKA_PYPI_VERSION in scripts/ensure-clients.sh. */
export const CONFLUENT_KAFKA_PYPI_VERSION = '2.16.1';

export const PYPI_PYTHON = process.env.SLIPSTREAM_CONFLUENT_PYPI_PYTHON
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'slipstream', 'python', `confluent-kafka-${CONFLUENT_KAFKA_PYPI_VERSION}`, 'bin', 'python');

export const PYTHON_ENV = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };

/** Skip when `python` cannot import `module`, except in CI (there it must fail, never silently skip). */
export function pythonSkipReason(python: string, module: string): string | false {
  if (process.env.CI) return false;
  try {
    execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
    return false;
  } catch {
    return `${python} cannot import ${module} (scripts/ensure-clients.sh installs it)`;
  }
}
