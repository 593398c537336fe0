# SPDX-License-Identifier: GPL-2.0-or-later
# Fake kbuild, one directory of an external module (installed as
# <build>/scripts/Makefile.build).  As real kbuild: the directory's Kbuild,
# else its Makefile, is read with KERNELRELEASE set, obj-m names the
# modules (NAME-objs / NAME-y their parts, DIR/ a subdirectory), each part
# is compiled with the host compiler and the module linked with ld -r.
__build:

obj-m :=
obj-y :=
ccflags-y :=
subdir-ccflags-y :=

src := $(KBUILD_EXTMOD)$(if $(filter .,$(fake-dir)),,/$(fake-dir))
obj := $(src)

include $(srctree)/include/config/auto.conf
fake-kbuild-file := $(firstword $(wildcard $(src)/Kbuild $(src)/Makefile))
ifeq ($(fake-kbuild-file),)
$(error fake kbuild: no Kbuild or Makefile in $(src))
endif
include $(fake-kbuild-file)

fake-subdirs := $(patsubst %/,%,$(filter %/,$(obj-m) $(obj-y)))
fake-mods := $(patsubst %.o,%,$(filter %.o,$(obj-m)))
fake-parts = $(addprefix $(src)/,$(or $(strip $($(1)-objs) $($(1)-y)),$(1).o))
fake-kos := $(foreach m,$(fake-mods),$(src)/$(m).ko)
fake-sub = $(if $(filter .,$(fake-dir)),$(1),$(fake-dir)/$(1))

# Quiet under make -s, as kbuild.
fake-echo := $(if $(findstring s,$(firstword -$(MAKEFLAGS))),:,echo)

fake-cflags = -O1 -w -D__KERNEL__ -DMODULE -I$(srctree)/include -I$(src) \
	-DKBUILD_MODNAME='"$(fake-modname)"' \
	$(ccflags-y) $(subdir-ccflags-y) $(EXTRA_CFLAGS) $(CFLAGS_$(notdir $@))

define fake-module
$(src)/$(1).ko: $(call fake-parts,$(1))
	@$(fake-echo) '  LD [M]  $$@'
	@sh $(srctree)/scripts/fake-modpost.sh $$@ $$^
$(call fake-parts,$(1)): fake-modname := $(subst -,_,$(notdir $(1)))
endef
$(foreach m,$(fake-mods),$(eval $(call fake-module,$(m))))

# Compiled from inside the module dir with relative names, so that the
# object does not record the scratch path: the same source gives the same
# .ko bytes in any tree.
$(src)/%.o: $(src)/%.c
	@$(fake-echo) '  CC [M]  $@'
	@cd $(src) && $(FAKE_CC) $(fake-cflags) -c -o $*.o $*.c

$(src)/%.o: $(src)/%.S
	@$(fake-echo) '  AS [M]  $@'
	@cd $(src) && $(FAKE_CC) $(fake-cflags) -D__ASSEMBLY__ -c -o $*.o $*.S

.PHONY: __build $(addprefix fake-subdir/,$(fake-subdirs))
$(addprefix fake-subdir/,$(fake-subdirs)): fake-subdir/%:
	@$(MAKE) -f $(srctree)/scripts/Makefile.build fake-dir=$(call fake-sub,$*)

# modules.order lists this directory's modules, then its subdirectories'.
__build: $(fake-kos) $(addprefix fake-subdir/,$(fake-subdirs))
	@{ $(foreach k,$(fake-kos),echo '$(k)';) \
	   $(foreach d,$(fake-subdirs),cat '$(src)/$(d)/modules.order';) \
	   :; } > $(src)/modules.order
