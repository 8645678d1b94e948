#!/bin/sh
# Regenerates the jest/*.log fixtures with Jest 30.5.2 on Node 20 (CI=true, no colour).
. "$(dirname "$0")/../common.sh"
npm_deps jest@30.5.2
export CI=true

project() {
  mkdir -p "$1/src"
  cat > "$1/package.json" <<'EOF'
{ "name": "demo", "version": "1.0.0", "private": true, "scripts": { "test": "jest" } }
EOF
  cat > "$1/src/cart.js" <<'EOF'
function cartTotal(items) {
  return items.reduce((sum, item) => sum + item.price, 0);
}

function applyDiscount(total, percent) {
  if (percent > 100) throw new Error("discount above 100%");
  return total - total * (percent / 100);
}

module.exports = { cartTotal, applyDiscount };
EOF
  use_deps "$1"
}

# --- failure: two failing tests (a toBe mismatch and an unexpected throw) in one file ------------
d=$tmp/failure; project "$d"
cat > "$d/src/cart.test.js" <<'EOF'
const { cartTotal, applyDiscount } = require("./cart");

describe("cart", () => {
  test("sums prices times quantity", () => {
    const items = [{ price: 2, quantity: 3 }, { price: 5, quantity: 1 }];
    expect(cartTotal(items)).toBe(11);
  });

  test("applies a discount", () => {
    expect(applyDiscount(200, 10)).toBe(180);
  });

  test("caps discounts at 100%", () => {
    expect(applyDiscount(50, 150)).toBe(0);
  });
});
EOF
cat > "$d/src/empty.test.js" <<'EOF'
test("an empty cart totals 0", () => {
  expect(require("./cart").cartTotal([])).toBe(0);
});
EOF
capture failure "$d" - npx jest --ci

# --- pass: all tests pass; one file is named error.test.js -------------------------------------
d=$tmp/pass; project "$d"
cat > "$d/src/error.test.js" <<'EOF'
const { applyDiscount } = require("./cart");

test("test_error_handling", () => {
  expect(() => applyDiscount(50, 150)).toThrow("discount above 100%");
});
EOF
capture pass "$d" - npx jest --ci --verbose
