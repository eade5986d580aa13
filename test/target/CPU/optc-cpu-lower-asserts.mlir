// RUN: optc-opt %s --optc-cpu-lower-asserts | FileCheck %s

// A failed check reports its message to the runtime instead of aborting;
// the module records that it has checks.
// CHECK: module attributes {optc.run_time_checks}
// CHECK: llvm.func @optc_report_error(!llvm.ptr)
// CHECK: llvm.mlir.global internal constant @optc_check_message_0("axis out of range\00")
// CHECK-LABEL: func.func @main
// CHECK: %[[FAILED:.*]] = arith.xori %arg0, %true
// CHECK: scf.if %[[FAILED]] {
// CHECK:   %[[MSG:.*]] = llvm.mlir.addressof @optc_check_message_0
// CHECK:   llvm.call @optc_report_error(%[[MSG]])
// CHECK-NOT: cf.assert
func.func @main(%ok: i1) {
  cf.assert %ok, "axis out of range"
  return
}
