// RUN: optc-opt %s --optc-plan-memory -verify-diagnostics

// Three buffers of 2^41 bytes alive at once need 3 * 2^41 bytes of arena,
// more than the 2^42 the runtime accepts (OPTC_MAX_ARENA_BYTES): an error
// here, not a library that no runtime loads.
module {
  func.func private @produce(memref<2199023255552xi8>, memref<2199023255552xi8>)
  func.func private @combine(memref<2199023255552xi8>, memref<2199023255552xi8>, memref<2199023255552xi8>, memref<4xf32>)
  // expected-error @below {{the model needs 6597069766656 bytes of scratch memory at once, more than optc's limit of 2^42 bytes}}
  func.func @main(%in: memref<2199023255552xi8>, %out: memref<4xf32>) {
    %a = memref.alloc() : memref<2199023255552xi8>
    call @produce(%in, %a) : (memref<2199023255552xi8>, memref<2199023255552xi8>) -> ()
    %b = memref.alloc() : memref<2199023255552xi8>
    call @produce(%a, %b) : (memref<2199023255552xi8>, memref<2199023255552xi8>) -> ()
    %c = memref.alloc() : memref<2199023255552xi8>
    call @produce(%b, %c) : (memref<2199023255552xi8>, memref<2199023255552xi8>) -> ()
    call @combine(%a, %b, %c, %out) : (memref<2199023255552xi8>, memref<2199023255552xi8>, memref<2199023255552xi8>, memref<4xf32>) -> ()
    return
  }
}
