/**
 * The standard normal upper tail, for Mann-Whitney's large-sample p-value.
 *
 * erfc uses the Chebyshev fit of Numerical Recipes (2nd ed., §6.2, `erfcc`),
 * whose *relative* error is below 1.2e-7 over the whole real line, tails
 * included: enough for p-values, which are reported to two significant
 * digits and compared with alpha, and it keeps this library free of
 * dependencies.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
