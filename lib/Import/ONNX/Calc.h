//===- Calc.h - formulas of optc ops in the ONNX importer ------*- C++ -*-===//
//
// A small builder for decompositions that are long formulas (Resize,
// GridSample): each helper builds one optc op through NodeContext::create
// and remembers the first failure, after which every helper returns null.
// A converter checks ok() once at the end instead of after every op.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_IMPORT_ONNX_CALC_H
#define OPTC_LIB_IMPORT_ONNX_CALC_H

#include "ImportContext.h"

namespace mlir::optc::onnx_import {

class Calc {
public:
  explicit Calc(NodeContext &ctx) : ctx(ctx) {}

  template <typename OpTy, typename... Args> Value op(Args &&...args) {
    if (failedOnce)
      return {};
    FailureOr<Value> v = ctx.create<OpTy>(std::forward<Args>(args)...);
    if (failed(v)) {
      failedOnce = true;
      return {};
    }
    return *v;
  }
  template <typename OpTy> Value binary(Value a, Value b) {
    if (!a || !b) {
      failedOnce = true;
      return {};
    }
    return op<OpTy>(a, b);
  }
  Value add(Value a, Value b) { return binary<AddOp>(a, b); }
  Value sub(Value a, Value b) { return binary<SubOp>(a, b); }
  Value mul(Value a, Value b) { return binary<MulOp>(a, b); }
  Value div(Value a, Value b) { return binary<DivOp>(a, b); }
  Value max(Value a, Value b) { return binary<MaxOp>(a, b); }
  Value min(Value a, Value b) { return binary<MinOp>(a, b); }
  Value cmp(ComparePredicate p, Value a, Value b) {
    if (!a || !b) {
      failedOnce = true;
      return {};
    }
    return op<CompareOp>(p, a, b);
  }
  Value select(Value c, Value a, Value b) {
    if (!c || !a || !b) {
      failedOnce = true;
      return {};
    }
    return op<SelectOp>(c, a, b);
  }
  Value floor(Value a) {
    if (!a) {
      failedOnce = true;
      return {};
    }
    return op<FloorOp>(a);
  }
  Value cast(Value a, Type element) {
    if (!a) {
      failedOnce = true;
      return {};
    }
    return ctx.castTo(a, element);
  }
  Value f64(double v) { return ctx.scalar(ctx.b.getF64Type(), v); }
  Value constant(Type element, double v) { return ctx.scalar(element, v); }
  Value i64(int64_t v) { return ctx.i64(v); }
  /// Entry `i` of a 1-D tensor as a 0-d tensor.
  Value entry(Value v, int64_t i) {
    if (!v) {
      failedOnce = true;
      return {};
    }
    Value s = op<SliceOp>(v, ArrayRef<int64_t>{i}, ArrayRef<int64_t>{i + 1},
                          ArrayRef<int64_t>{1});
    if (!s)
      return {};
    Value r = ctx.reshape(s, {});
    if (!r)
      failedOnce = true;
    return r;
  }
  bool ok() const { return !failedOnce; }

  NodeContext &ctx;

private:
  bool failedOnce = false;
};

} // namespace mlir::optc::onnx_import

#endif // OPTC_LIB_IMPORT_ONNX_CALC_H
