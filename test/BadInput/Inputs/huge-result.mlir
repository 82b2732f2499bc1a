// A splat constant of 10^12 elements: cheap to parse, too large to
// evaluate.
func.func @main() -> tensor<1000000x1000000xf32> {
  %c = arith.constant dense<1.0> : tensor<1000000x1000000xf32>
  %y = cgnet.relu %c : tensor<1000000x1000000xf32>
  return %y : tensor<1000000x1000000xf32>
}
