//! Buffers against unmapped pages, for the testers: a [`Guarded`] slice
//! ends exactly where a `PROT_NONE` page begins ([`Edge::End`]) or begins
//! exactly where one ends ([`Edge::Start`]), so a kernel that reads or
//! writes one element outside it dies with a segmentation fault instead of
//! touching a neighbour's memory silently. `tests/memory.rs` checks that the
//! pages do fault.
//!
//! Unix only, and not under Miri (which has no `mmap`); the testers skip
//! their guard-page pass elsewhere ([`EDGES`] is empty there).

use nn_kernels::Float;

/// An in-place run of a kernel on a buffer.
pub type InPlaceFn<'a, T> = dyn Fn(&mut [T]) + 'a;

/// The guard-page pass of a one-input kernel: at each of [`EDGES`], `x`
/// copied against a guard page, `out_of_place` into an output of NaN
/// against one, and `in_place` (when given) on another guarded copy of `x`;
/// each must give `want`'s bits. An access outside a slice faults.
pub fn check_at_page_edges<T: Float>(
    ctx: &str,
    x: &[T],
    want: &[T],
    out_of_place: impl Fn(&[T], &mut [T]),
    in_place: Option<&InPlaceFn<'_, T>>,
) {
    for &edge in EDGES {
        let ctx = format!("{ctx} {edge:?} against a guard page");
        let xg = Guarded::copy_of(x, edge);
        let mut og = Guarded::new(x.len(), edge, T::NAN);
        out_of_place(xg.as_ref(), og.as_mut());
        super::assert_bits_eq(og.as_ref(), want, &ctx);
        if let Some(in_place) = in_place {
            let mut b = Guarded::copy_of(x, edge);
            in_place(b.as_mut());
            super::assert_bits_eq(b.as_ref(), want, &format!("{ctx}: in place"));
        }
    }
}

/// Which end of the buffer touches the unmapped page.
#[derive(Clone, Copy, Debug)]
pub enum Edge {
    /// The first element follows an unmapped page.
    Start,
    /// The last element is followed by an unmapped page.
    End,
}

/// The edges a tester runs its guard-page pass at: both where guard pages
/// exist, none elsewhere.
#[cfg(all(unix, not(miri)))]
pub const EDGES: &[Edge] = &[Edge::Start, Edge::End];
#[cfg(not(all(unix, not(miri))))]
pub const EDGES: &[Edge] = &[];

/// `len` elements of `T` between guard pages; see the module docs.
pub struct Guarded<T> {
    #[cfg(all(unix, not(miri)))]
    base: *mut libc::c_void,
    #[cfg(all(unix, not(miri)))]
    map_len: usize,
    #[cfg(all(unix, not(miri)))]
    data: *mut T,
    #[cfg(all(unix, not(miri)))]
    len: usize,
    #[cfg(not(all(unix, not(miri))))]
    _never: (std::convert::Infallible, std::marker::PhantomData<T>),
}

#[cfg(all(unix, not(miri)))]
impl<T: Copy> Guarded<T> {
    /// `len` copies of `fill`, placed against a guard page at `edge`.
    pub fn new(len: usize, edge: Edge, fill: T) -> Self {
        let g = Self::map(len, edge);
        for i in 0..len {
            // SAFETY: `i < len`, inside the read-write data (see `map`).
            unsafe { g.data.add(i).write(fill) };
        }
        g
    }

    /// A guarded copy of `v`.
    pub fn copy_of(v: &[T], edge: Edge) -> Self {
        let g = Self::map(v.len(), edge);
        // SAFETY: the `v.len()` elements at `data` are read-write (see
        // `map`) and a fresh mapping, so they cannot overlap `v`.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), g.data, v.len()) };
        g
    }

    /// Maps the data pages between two guard pages and places `len`
    /// elements against the guard at `edge`; the elements are written by
    /// the caller before any slice of them is made.
    fn map(len: usize, edge: Edge) -> Self {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let bytes = len * std::mem::size_of::<T>();
        let data_pages = bytes.div_ceil(page).max(1);
        let map_len = (data_pages + 2) * page;
        // SAFETY: an anonymous private mapping with no address hint; the
        // result is checked against MAP_FAILED.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap");
        let first_guard = base as *mut u8;
        // SAFETY: both guard pages lie inside the mapping just made.
        let last_guard = unsafe { first_guard.add((data_pages + 1) * page) };
        // SAFETY: page-aligned ranges inside the mapping.
        unsafe {
            assert_eq!(
                libc::mprotect(first_guard as *mut _, page, libc::PROT_NONE),
                0
            );
            assert_eq!(
                libc::mprotect(last_guard as *mut _, page, libc::PROT_NONE),
                0
            );
        }
        let data = match edge {
            // SAFETY: one page past the first guard is mapped read-write.
            Edge::Start => unsafe { first_guard.add(page) as *mut T },
            // SAFETY: `bytes` before the last guard is inside the data pages.
            Edge::End => unsafe { last_guard.sub(bytes) as *mut T },
        };
        Guarded {
            base,
            map_len,
            data,
            len,
        }
    }

    /// The elements.
    pub fn as_mut(&mut self) -> &mut [T] {
        // SAFETY: `data..data + len` is inside the read-write pages, written
        // by `new` or `copy_of`, aligned for T (a page-aligned start, or an
        // end at a page boundary with a length in whole elements), and
        // borrowed mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
    }

    /// The elements.
    pub fn as_ref(&self) -> &[T] {
        // SAFETY: as in `as_mut`, borrowed shared through `self`.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }

    /// The address of the first element (for the test that proves the
    /// guard pages fault).
    pub fn ptr(&self) -> *const T {
        self.data
    }
}

#[cfg(all(unix, not(miri)))]
impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `map`.
        unsafe { libc::munmap(self.base, self.map_len) };
    }
}

/// Where guard pages do not exist no `Guarded` can be made ([`EDGES`] is
/// empty), so these are never called; they let the testers compile.
#[cfg(not(all(unix, not(miri))))]
impl<T: Copy> Guarded<T> {
    pub fn new(_: usize, _: Edge, _: T) -> Self {
        unreachable!("no guard pages on this platform")
    }
    pub fn copy_of(_: &[T], _: Edge) -> Self {
        unreachable!("no guard pages on this platform")
    }
    pub fn as_mut(&mut self) -> &mut [T] {
        match self._never.0 {}
    }
    pub fn as_ref(&self) -> &[T] {
        match self._never.0 {}
    }
}
