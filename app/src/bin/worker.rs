//! The training worker's entry point: install its message handler.

fn main() {
    console_error_panic_hook::set_once();
    afina_app::workers::trainer::start();
}
