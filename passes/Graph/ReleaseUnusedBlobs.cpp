//===- ReleaseUnusedBlobs.cpp - free blobs the module no longer uses ------===//
//
// Implements --optc-release-unused-blobs: the blobs of the builtin dialect
// (dense_resource weights) that no attribute of the module refers to are
// emptied, which frees their data. Folds of weights (transposes, slices)
// leave the originals unused in the context otherwise.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCRELEASEUNUSEDBLOBS
#include "passes/Graph/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

namespace {
struct ReleaseUnusedBlobsPass
    : public mlir::optc::impl::OptcReleaseUnusedBlobsBase<
          ReleaseUnusedBlobsPass> {
  using Base::Base;

  void runOnOperation() override {
    using Entry = DialectResourceBlobManager::BlobEntry;
    llvm::DenseSet<const Entry *> used;
    auto note = [&](Attribute attr) {
      attr.walk([&](DenseResourceElementsAttr resource) {
        used.insert(resource.getRawHandle().getResource());
      });
    };
    // Every attribute, inherent (properties) or discardable, of every op,
    // the module's own included.
    getOperation()->walk([&](Operation *op) { note(op->getAttrDictionary()); });

    DialectResourceBlobManager &manager =
        DenseResourceElementsHandle::getManagerInterface(&getContext())
            .getBlobManager();
    SmallVector<std::string> unused;
    manager.getBlobMap([&](const llvm::StringMap<Entry> &blobs) {
      for (const auto &blob : blobs)
        if (!used.contains(&blob.getValue()) && blob.getValue().getBlob() &&
            !blob.getValue().getBlob()->getData().empty())
          unused.push_back(blob.getKey().str());
    });
    for (const std::string &key : unused) {
      Entry *entry = manager.lookup(key);
      if (!entry || !entry->getBlob())
        continue;
      size_t bytes = entry->getBlob()->getData().size();
      if (report)
        getOperation().emitRemark()
            << "freed blob '" << key << "' (" << bytes << " bytes)";
      // Replacing the blob runs the old one's deleter.
      entry->setBlob(AsmResourceBlob(ArrayRef<char>(), /*dataAlignment=*/1,
                                     /*deleter=*/nullptr,
                                     /*dataIsMutable=*/false));
    }
  }
};
} // namespace
