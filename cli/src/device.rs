//! Which burn device a command runs on: the CPU (`flex`) or wgpu (Vulkan, Metal or DX12).

use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::ValueEnum;

/// Where to train or embed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DeviceChoice {
    /// burn's pure-Rust CPU device (flex).
    Cpu,
    /// burn's wgpu device (Vulkan, Metal or DX12 natively).
    Wgpu,
}

/// The device for `choice`.
///
/// # Errors
/// No wgpu adapter when wgpu is asked for.
pub(crate) fn pick_device(choice: DeviceChoice) -> Result<Device> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::flex()),
        DeviceChoice::Wgpu => Device::wgpu_options()
            .init()
            .context("no wgpu adapter is available: use --device cpu"),
    }
}
