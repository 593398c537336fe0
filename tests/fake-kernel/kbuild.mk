# SPDX-License-Identifier: GPL-2.0-or-later
# Fake kernel build dir, top level (installed as <build>/Makefile by
# mkfake.sh).  It honours the part of the kbuild interface dkms uses:
#   make -C <build> M=<src> [KERNELRELEASE=...] [-jN] [modules|all|clean]
# and hands each directory of the module to scripts/Makefile.build, which
# reads its Kbuild/Makefile the way real kbuild does.
MAKEFLAGS += -rR --no-print-directory

srctree := $(CURDIR)
FAKE_KVER := $(shell cat $(srctree)/include/config/kernel.release)

ifeq ($(strip $(M)),)
$(error fake kbuild: only external module builds are supported, pass M=<dir>)
endif
KBUILD_EXTMOD := $(abspath $(M))

# .config decides the vermagic, as include/generated/ does for a real tree.
include $(srctree)/include/config/auto.conf
FAKE_VERMAGIC := $(FAKE_KVER) $(if $(filter y,$(CONFIG_SMP)),SMP )$(if \
	$(filter y,$(CONFIG_PREEMPT_BUILD)),preempt )$(if \
	$(filter y,$(CONFIG_MODULE_UNLOAD)),mod_unload )$(if \
	$(filter y,$(CONFIG_MODVERSIONS)),modversions )

# dkms may export CC (from CONFIG_CC_VERSION_TEXT); otherwise the host gcc.
ifneq ($(filter environment% command%,$(origin CC)),)
FAKE_CC := $(CC)
else
FAKE_CC := gcc
endif
ifneq ($(filter environment% command%,$(origin LD)),)
FAKE_LD := $(LD)
else
FAKE_LD := ld
endif

# A module's Makefile tests KERNELRELEASE to know kbuild is reading it.
ifeq ($(origin KERNELRELEASE),command line)
else
KERNELRELEASE := $(FAKE_KVER)
endif

export srctree FAKE_KVER FAKE_VERMAGIC FAKE_CC FAKE_LD KBUILD_EXTMOD KERNELRELEASE
export CONFIG_MODULE_SRCVERSION_ALL KBUILD_EXTRA_SYMBOLS

build := -f $(srctree)/scripts/Makefile.build fake-dir=.

.PHONY: all modules clean modules_install
all: modules

modules:
	@$(MAKE) $(build)
	@sh $(srctree)/scripts/fake-symvers.sh $(KBUILD_EXTMOD)

clean:
	@sh $(srctree)/scripts/fake-clean.sh $(KBUILD_EXTMOD)

modules_install:
	$(error fake kbuild: modules_install is not supported)
