//! The only module with `unsafe`: bindings to the generated C ABI shims of the Verilated models.
//!
//! Every model exposes the same set of `extern "C"` functions, prefixed with its class name
//! (`biernic_sim_Vwide_eval`, ...). [`RawModel`] owns one model instance and offers safe methods.

use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr::NonNull;

/// Function table of one model's shim.
pub(crate) struct VTable {
    port_count: unsafe extern "C" fn() -> u32,
    new: unsafe extern "C" fn(c_int, u64) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    eval: unsafe extern "C" fn(*mut c_void) -> c_int,
    error: unsafe extern "C" fn(*mut c_void, *mut c_char, usize) -> usize,
    set_words: unsafe extern "C" fn(*mut c_void, u32, *const u32, u32) -> c_int,
    get_words: unsafe extern "C" fn(*mut c_void, u32, *mut u32, u32) -> c_int,
    set_u64: unsafe extern "C" fn(*mut c_void, u32, u64) -> c_int,
    get_u64: unsafe extern "C" fn(*mut c_void, u32, *mut u64) -> c_int,
    trace_open: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    trace_dump: unsafe extern "C" fn(*mut c_void, u64),
    trace_close: unsafe extern "C" fn(*mut c_void),
}

macro_rules! model_vtable {
    ($vt:ident, $port_count:ident, $new:ident, $free:ident, $eval:ident, $error:ident,
     $set_words:ident, $get_words:ident, $set_u64:ident, $get_u64:ident,
     $trace_open:ident, $trace_dump:ident, $trace_close:ident) => {
        extern "C" {
            fn $port_count() -> u32;
            fn $new(rand_reset: c_int, seed: u64) -> *mut c_void;
            fn $free(p: *mut c_void);
            fn $eval(p: *mut c_void) -> c_int;
            fn $error(p: *mut c_void, buf: *mut c_char, cap: usize) -> usize;
            fn $set_words(p: *mut c_void, idx: u32, w: *const u32, n: u32) -> c_int;
            fn $get_words(p: *mut c_void, idx: u32, w: *mut u32, n: u32) -> c_int;
            fn $set_u64(p: *mut c_void, idx: u32, v: u64) -> c_int;
            fn $get_u64(p: *mut c_void, idx: u32, v: *mut u64) -> c_int;
            fn $trace_open(p: *mut c_void, path: *const c_char) -> c_int;
            fn $trace_dump(p: *mut c_void, time: u64);
            fn $trace_close(p: *mut c_void);
        }
        pub(crate) static $vt: VTable = VTable {
            port_count: $port_count,
            new: $new,
            free: $free,
            eval: $eval,
            error: $error,
            set_words: $set_words,
            get_words: $get_words,
            set_u64: $set_u64,
            get_u64: $get_u64,
            trace_open: $trace_open,
            trace_dump: $trace_dump,
            trace_close: $trace_close,
        };
    };
}

model_vtable!(
    WIDE,
    biernic_sim_Vwide_port_count,
    biernic_sim_Vwide_new,
    biernic_sim_Vwide_free,
    biernic_sim_Vwide_eval,
    biernic_sim_Vwide_error,
    biernic_sim_Vwide_set_words,
    biernic_sim_Vwide_get_words,
    biernic_sim_Vwide_set_u64,
    biernic_sim_Vwide_get_u64,
    biernic_sim_Vwide_trace_open,
    biernic_sim_Vwide_trace_dump,
    biernic_sim_Vwide_trace_close
);
model_vtable!(
    NARROW,
    biernic_sim_Vnarrow_port_count,
    biernic_sim_Vnarrow_new,
    biernic_sim_Vnarrow_free,
    biernic_sim_Vnarrow_eval,
    biernic_sim_Vnarrow_error,
    biernic_sim_Vnarrow_set_words,
    biernic_sim_Vnarrow_get_words,
    biernic_sim_Vnarrow_set_u64,
    biernic_sim_Vnarrow_get_u64,
    biernic_sim_Vnarrow_trace_open,
    biernic_sim_Vnarrow_trace_dump,
    biernic_sim_Vnarrow_trace_close
);
model_vtable!(
    LOOPBACK,
    biernic_sim_Vloop_port_count,
    biernic_sim_Vloop_new,
    biernic_sim_Vloop_free,
    biernic_sim_Vloop_eval,
    biernic_sim_Vloop_error,
    biernic_sim_Vloop_set_words,
    biernic_sim_Vloop_get_words,
    biernic_sim_Vloop_set_u64,
    biernic_sim_Vloop_get_u64,
    biernic_sim_Vloop_trace_open,
    biernic_sim_Vloop_trace_dump,
    biernic_sim_Vloop_trace_close
);

/// Status codes of the shim functions that can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShimError {
    /// Bad port index, or an output port given to a setter, or a wide port to a u64 accessor.
    BadPort,
    /// Word count does not match the port width.
    BadLength,
    /// The model raised a fatal error.
    Fatal,
}

fn status(rc: c_int) -> Result<(), ShimError> {
    match rc {
        0 => Ok(()),
        -2 => Err(ShimError::BadLength),
        -1 => Err(ShimError::BadPort),
        _ => Err(ShimError::Fatal),
    }
}

/// One instance of a Verilated model (owns the C++ objects).
///
/// Not `Send`/`Sync` (it holds a raw pointer): a Verilated context is used from the thread that
/// created it.
pub(crate) struct RawModel {
    ptr: NonNull<c_void>,
    vt: &'static VTable,
}

impl RawModel {
    /// Creates a model; `None` when the C++ constructor failed. `random_init`: every variable
    /// starts with a random value drawn from the seed (else 0).
    pub(crate) fn new(vt: &'static VTable, random_init: Option<u64>) -> Option<Self> {
        let (mode, seed) = match random_init {
            Some(seed) => (2, seed),
            None => (0, 0),
        };
        // Verilator draws the random initial values from a generator that a context's seed
        // re-seeds through process-wide state: models built at the same time on different
        // threads would mix their seeds, so construction is serialized.
        static CREATE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = CREATE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: `new` has no preconditions; it returns a fresh heap object or null.
        let p = unsafe { (vt.new)(mode, seed) };
        NonNull::new(p).map(|ptr| RawModel { ptr, vt })
    }

    /// Number of ports the shim knows (must equal the Rust table's length).
    pub(crate) fn port_count(&self) -> u32 {
        // SAFETY: pure function without arguments.
        unsafe { (self.vt.port_count)() }
    }

    /// Evaluates the model; `Err(message)` when it raised a fatal error.
    pub(crate) fn eval(&mut self) -> Result<(), String> {
        // SAFETY: `ptr` is a live model created by `vt.new` and not freed (we own it).
        let rc = unsafe { (self.vt.eval)(self.ptr.as_ptr()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(self.last_error())
        }
    }

    /// The shim's last error message.
    pub(crate) fn last_error(&mut self) -> String {
        let mut buf = vec![0u8; 1024];
        // SAFETY: `ptr` is live; `buf` is writable for `buf.len()` bytes and the shim writes at
        // most `cap` bytes including the terminating NUL.
        unsafe { (self.vt.error)(self.ptr.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    }

    /// Sets input port `idx` from little-endian 32-bit words (exactly ceil(width/32) of them).
    pub(crate) fn set_words(&mut self, idx: u32, words: &[u32]) -> Result<(), ShimError> {
        let n = u32::try_from(words.len()).map_err(|_| ShimError::BadLength)?;
        // SAFETY: `ptr` is live; the shim reads exactly `n` words from `words` after checking
        // that `n` matches the port, and `words` holds `n` valid `u32`s.
        status(unsafe { (self.vt.set_words)(self.ptr.as_ptr(), idx, words.as_ptr(), n) })
    }

    /// Reads port `idx` into little-endian 32-bit words (exactly ceil(width/32) of them).
    pub(crate) fn get_words(&self, idx: u32, words: &mut [u32]) -> Result<(), ShimError> {
        let n = u32::try_from(words.len()).map_err(|_| ShimError::BadLength)?;
        // SAFETY: `ptr` is live; the shim writes exactly `n` words after checking `n` against
        // the port, and `words` is writable for `n` `u32`s. Reading does not mutate the model.
        status(unsafe { (self.vt.get_words)(self.ptr.as_ptr(), idx, words.as_mut_ptr(), n) })
    }

    /// Sets an input port of at most 64 bits (upper bits are masked off).
    pub(crate) fn set_u64(&mut self, idx: u32, v: u64) -> Result<(), ShimError> {
        // SAFETY: `ptr` is live; the index is checked by the shim.
        status(unsafe { (self.vt.set_u64)(self.ptr.as_ptr(), idx, v) })
    }

    /// Reads a port of at most 64 bits.
    pub(crate) fn get_u64(&self, idx: u32) -> Result<u64, ShimError> {
        let mut v = 0u64;
        // SAFETY: `ptr` is live; `v` is a valid `u64` to write; the index is checked by the shim.
        status(unsafe { (self.vt.get_u64)(self.ptr.as_ptr(), idx, &mut v) })?;
        Ok(v)
    }

    /// Opens a VCD file and attaches it to the model.
    pub(crate) fn trace_open(&mut self, path: &str) -> Result<(), String> {
        let c = CString::new(path).map_err(|_| "path contains a NUL byte".to_string())?;
        // SAFETY: `ptr` is live; `c` is a NUL-terminated string that outlives the call (the shim
        // copies the path).
        let rc = unsafe { (self.vt.trace_open)(self.ptr.as_ptr(), c.as_ptr()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(self.last_error())
        }
    }

    /// Dumps the current values to the open waveform (no-op when none is open).
    pub(crate) fn trace_dump(&mut self, time: u64) {
        // SAFETY: `ptr` is live; the shim checks whether a trace is open.
        unsafe { (self.vt.trace_dump)(self.ptr.as_ptr(), time) }
    }

    /// Closes the waveform (no-op when none is open).
    pub(crate) fn trace_close(&mut self) {
        // SAFETY: `ptr` is live; the shim checks whether a trace is open.
        unsafe { (self.vt.trace_close)(self.ptr.as_ptr()) }
    }
}

impl Drop for RawModel {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `vt.new` of the same table and is freed exactly once, here.
        unsafe { (self.vt.free)(self.ptr.as_ptr()) }
    }
}
model_vtable!(
    NIC_WIDE,
    biernic_sim_Vnicw_port_count,
    biernic_sim_Vnicw_new,
    biernic_sim_Vnicw_free,
    biernic_sim_Vnicw_eval,
    biernic_sim_Vnicw_error,
    biernic_sim_Vnicw_set_words,
    biernic_sim_Vnicw_get_words,
    biernic_sim_Vnicw_set_u64,
    biernic_sim_Vnicw_get_u64,
    biernic_sim_Vnicw_trace_open,
    biernic_sim_Vnicw_trace_dump,
    biernic_sim_Vnicw_trace_close
);
model_vtable!(
    NIC_NARROW,
    biernic_sim_Vnicn_port_count,
    biernic_sim_Vnicn_new,
    biernic_sim_Vnicn_free,
    biernic_sim_Vnicn_eval,
    biernic_sim_Vnicn_error,
    biernic_sim_Vnicn_set_words,
    biernic_sim_Vnicn_get_words,
    biernic_sim_Vnicn_set_u64,
    biernic_sim_Vnicn_get_u64,
    biernic_sim_Vnicn_trace_open,
    biernic_sim_Vnicn_trace_dump,
    biernic_sim_Vnicn_trace_close
);
