/// mimalloc: the request path allocates many small objects (JSON values, rows), and
/// glibc's malloc/free took about a sixth of a bulk create's instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    roster::cli::run()
}
