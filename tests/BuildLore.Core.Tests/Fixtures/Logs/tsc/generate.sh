#!/bin/sh
# Regenerates the tsc/*.log fixtures with TypeScript 5.9.3 (from the npm registry) on Node 20.
. "$(dirname "$0")/../common.sh"
npm_deps typescript@5.9.3

project() { # project DIR: tsconfig.json + package.json
  mkdir -p "$1/src/util"
  cat > "$1/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "commonjs",
    "strict": true,
    "outDir": "dist",
    "rootDir": "src"
  },
  "include": ["src"]
}
EOF
  echo '{ "name": "demo", "version": "1.0.0", "private": true }' > "$1/package.json"
  use_deps "$1"
}

# --- type-errors: TS2322, TS2345 and TS2304 in two files; tsc's plain (non-TTY) format ---------
d=$tmp/type-errors; project "$d"
cat > "$d/src/util/format.ts" <<'EOF'
export function formatPrice(amount: number, currency: string): string {
  return `${amount.toFixed(2)} ${currency}`;
}
EOF
cat > "$d/src/index.ts" <<'EOF'
import { formatPrice } from "./util/format";

interface Order {
  id: number;
  total: number;
}

const order: Order = { id: 1, total: "19.99" };
console.log(formatPrice(order.total, 978));
console.log(formatCurrency(order.total));
EOF
capture type-errors "$d" - npx tsc --noEmit -p .

# --- pretty: the same kind of errors in tsc's --pretty format (code frames, "Found N errors") ---
d=$tmp/pretty; project "$d"
cat > "$d/src/util/retry.ts" <<'EOF'
export async function retry<T>(action: () => Promise<T>, attempts: number): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await action();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
EOF
cat > "$d/src/index.ts" <<'EOF'
import { retry } from "./util/retry";

async function main(): Promise<void> {
  const count: number = await retry(async () => "42", 3);
  console.log(count.toFixed(1));
  const user = { name: "Ada" };
  console.log(user.email);
}

main();
EOF
capture pretty "$d" - npx tsc --noEmit --pretty -p .

# --- clean: compiles src/error.ts and src/index.ts, listing the input and emitted files -----------
d=$tmp/clean; project "$d"
cat > "$d/src/error.ts" <<'EOF'
export class AppError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export function describeError(error: unknown): string {
  return error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
}
EOF
cat > "$d/src/index.ts" <<'EOF'
import { AppError, describeError } from "./error";

console.log(describeError(new AppError("0 errors found", "OK")));
EOF
capture clean "$d" /builds/group/demo/ npx tsc -p . --listFiles --listEmittedFiles
