#!/bin/sh
# counters.sh start DIR [FUNCTION...] | stop DIR | cleanup [DIR]
#
# Kernel counters around a payload, from tracefs, without a custom kernel.
#   start    sets up the probes, snapshots /proc/vmstat and the WARN/oops
#            counts into DIR (created), starts `perf stat` where perf exists.
#   stop     prints the counters (marker lines `counter` / `unavailable`),
#            then cleans up (as `cleanup`).
#   cleanup  removes every probe, trigger, synthetic event and the private
#            instance; idempotent, works without DIR (after a lost DIR, a
#            crashed payload, twice in a row).
#
# Method (why: libs/payloads/README.md): kprobe + kretprobe events joined by
# a synthetic event carrying the duration (hist trigger variables, onmatch),
# with two hist triggers on it: calls and total ns per pid, and the exact
# duration distribution (max). All triggers live in a private tracefs
# instance "pfnlab"; the kprobe and synthetic event definitions are global
# (group "pfnlab", names pfnlab_*). Debian's 6.1 kernels have KPROBE_EVENTS,
# SYNTH_EVENTS and HIST_TRIGGERS but no FUNCTION_PROFILER, and refuse kprobes
# on notrace functions: every __meminit function (vmemmap_populate,
# sparse_add_section) is notrace. Their calls are then derived exactly from
# the (pfn, nr_pages) arguments of __add_pages: one sparse_add_section() and
# one vmemmap_populate() per section-aligned chunk (mm/memory_hotplug.c).
# pfn_valid() is counted (no duration: it is shorter than the probe) where it
# is out of line; where it is inlined, its out-of-line caller
# pfn_to_online_page() is counted instead.

case $0 in */*) PF_DIR=${0%/*} ;; *) PF_DIR=. ;; esac
. "$PF_DIR/pfnlab-common.sh" # pfnlab:inline-common

CMD=${1:-}
DIR=${2:-}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
DEFAULT_FUNCS="vmemmap_populate vmemmap_free __add_pages sparse_add_section memremap_pages online_pages offline_pages pfn_valid"
FUNCS=${*:-$DEFAULT_FUNCS}
G=pfnlab

# ---- tracefs ------------------------------------------------------------------
T=
find_tracefs() {
  T=
  for t in ${PFNLAB_TRACEFS:-} /sys/kernel/tracing /sys/kernel/debug/tracing; do
    if [ -e "$t/kprobe_events" ] || [ -e "$t/trace" ]; then
      T=$t
      return 0
    fi
  done
  # not mounted: mount it where the kernel offers the mount point
  if [ -z "${PFNLAB_TRACEFS:-}" ] && [ -d /sys/kernel/tracing ] && mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
    [ -e /sys/kernel/tracing/trace ] && T=/sys/kernel/tracing && return 0
  fi
  return 1
}

# I = where the triggers go: the private instance, or the top level where
# the kernel has no instances.
I=
instance_dir() {
  I=
  if [ -d "$T/instances/$G" ]; then
    I=$T/instances/$G
  elif [ -d "$T/instances" ] && mkdir "$T/instances/$G" 2>/dev/null; then
    I=$T/instances/$G
  else
    I=$T
  fi
}

# ---- cleanup ------------------------------------------------------------------
# Removes the triggers of one trigger file: first the specs we wrote (in
# reverse order: a trigger that uses a variable goes before the one defining
# it), then whatever the file still lists, a few passes.
strip_triggers() { # TRIGGER_FILE
  tf=$1
  [ -w "$tf" ] || return 0
  pass=0
  while [ $pass -lt 4 ]; do
    left=0
    while IFS= read -r tl; do
      case $tl in '#'* | '') continue ;; esac
      left=1
      spec=${tl% \[*\]}
      printf '!%s\n' "$spec" >>"$tf" 2>/dev/null
    done <"$tf"
    [ $left = 0 ] && return 0
    pass=$((pass + 1))
  done
  return 1
}

do_cleanup() { # emits info/unavailable lines; returns 1 when something is left
  find_tracefs || return 0
  # 1. triggers we recorded, newest first
  if [ -n "$DIR" ] && [ -s "$DIR/triggers" ]; then
    sed '1!G;h;$!d' "$DIR/triggers" | while IFS='|' read -r tf spec; do
      [ -w "$tf" ] && printf '!%s\n' "$spec" >>"$tf" 2>/dev/null
    done
  fi
  # 2. anything left on our events, in the instance and at the top level
  for root in "$T/instances/$G" "$T"; do
    [ -d "$root/events" ] || continue
    for tf in "$root"/events/synthetic/${G}_*/trigger "$root"/events/$G/*_x/trigger "$root"/events/$G/*/trigger; do
      [ -e "$tf" ] && strip_triggers "$tf"
    done
    [ -w "$root/events/$G/enable" ] && printf '0\n' >"$root/events/$G/enable" 2>/dev/null
    for e in "$root"/events/synthetic/${G}_*/enable; do [ -w "$e" ] && printf '0\n' >"$e" 2>/dev/null; done
  done
  # 3. the instance (its removal also drops any trigger still on it)
  [ -d "$T/instances/$G" ] && rmdir "$T/instances/$G" 2>/dev/null
  # 4. synthetic events, then kprobe events
  if [ -r "$T/synthetic_events" ]; then
    grep "^${G}_" "$T/synthetic_events" 2>/dev/null | while read -r name rest; do
      printf '!%s\n' "$name" >>"$T/synthetic_events" 2>/dev/null
    done
  fi
  if [ -r "$T/kprobe_events" ]; then
    grep "^[pr][0-9]*:$G/" "$T/kprobe_events" 2>/dev/null | while read -r def rest; do
      printf -- '-:%s\n' "${def#*:}" >>"$T/kprobe_events" 2>/dev/null
    done
  fi
  # 5. perf stat, if start left one
  if [ -n "$DIR" ] && [ -s "$DIR/perf.pid" ]; then
    read -r pp <"$DIR/perf.pid"
    pf_uint "$pp" && kill -s INT "$pp" 2>/dev/null
    : >"$DIR/perf.pid"
  fi
  # verify
  LEFT=
  [ -d "$T/instances/$G" ] && LEFT="$LEFT instance"
  grep -q "^[pr][0-9]*:$G/" "$T/kprobe_events" 2>/dev/null && LEFT="$LEFT kprobe_events"
  grep -q "^${G}_" "$T/synthetic_events" 2>/dev/null && LEFT="$LEFT synthetic_events"
  [ -z "$LEFT" ]
}

# ---- start --------------------------------------------------------------------
unavail() { # NAME REASON [DETAIL]
  u_name=$1 u_reason=$2
  pf_v "${3:-}"
  u_detail=$PF_V
  pf_emit unavailable "name=$u_name" "reason=$u_reason" ${3:+"detail=$u_detail"}
  [ -n "$DIR" ] && printf '%s %s %s\n' "$u_name" "$u_reason" "${3:+$u_detail}" >>"$DIR/unavailable"
}

probe_add() { # DEFINITION
  printf '%s\n' "$1" >>"$T/kprobe_events" 2>/dev/null
}
probe_del() { # GROUP/EVENT
  printf -- '-:%s\n' "$1" >>"$T/kprobe_events" 2>/dev/null
}
trig() { # EVENT_DIR SPEC
  if printf '%s\n' "$2" >>"$1/trigger" 2>/dev/null; then
    printf '%s|%s\n' "$1/trigger" "$2" >>"$DIR/triggers"
    return 0
  fi
  return 1
}

# Why a function cannot be probed: sets WHY and WHY_DETAIL. Reads the
# extracts of kallsyms and available_filter_functions that ksym_extract made
# (one pass over each: they are large, and busybox under TCG is slow).
ksym_extract() { # NAMES...
  names=" $* "
  awk -v names="$names" 'index(names, " " $3 " ") { print $2, $3 }' /proc/kallsyms >"$DIR/ksyms" 2>/dev/null
  if [ -r "$T/available_filter_functions" ]; then
    awk -v names="$names" 'index(names, " " $1 " ") { print $1 }' "$T/available_filter_functions" >"$DIR/ftrace_funcs" 2>/dev/null
  else
    rm -f "$DIR/ftrace_funcs"
  fi
}
why_not() { # FUNC
  WHY=kprobe_failed
  WHY_DETAIL=
  n_global=0
  n_local=0
  while read -r ty name; do
    [ "$name" = "$1" ] || continue
    case $ty in [TW]) n_global=$((n_global + 1)) ;; [tw]) n_local=$((n_local + 1)) ;; esac
  done <"$DIR/ksyms"
  if [ "$n_global" = 0 ] && [ "$n_local" = 0 ]; then
    WHY=not_in_kernel
    WHY_DETAIL=inlined_or_not_built
  elif [ "$n_global" = 0 ]; then
    WHY=inlined
    WHY_DETAIL=local_copies:$n_local
  elif [ -f "$DIR/ftrace_funcs" ] && ! grep -qx "$1" "$DIR/ftrace_funcs"; then
    WHY=notrace_function
    WHY_DETAIL=kprobe_events_refuse_notrace
  fi
}

# Pages per memory section: the kernel's SECTION_SIZE_BITS for this arch
# (pf_section_bits) and the page size from /proc/self/smaps. Not from sysfs:
# memoryN/phys_index is the block's number, not its first section's, so it
# says nothing when a block holds several sections (ppc64: 16 MiB sections in
# 256 MiB blocks; x86_64 servers with 2 GiB blocks).
pages_per_section() {
  PPS=
  PPS_WHY=no_page_size
  page=
  while read -r k v unit; do
    [ "$k" = KernelPageSize: ] && page=$((v * 1024)) && break
  done </proc/self/smaps 2>/dev/null
  [ -n "$page" ] || return 1
  PPS_WHY=unknown_arch:$PF_ARCH
  pf_section_bits "$PF_ARCH" "$PF_KREL" "$page" || return 1
  sec=1
  k=0
  while [ "$k" -lt "$PF_SECTION_BITS" ]; do sec=$((sec * 2)); k=$((k + 1)); done
  # a memory block is a whole number of sections, or the table is wrong for this kernel
  if pf_read1 /sys/devices/system/memory/block_size_bytes; then
    bs=$((0x$PF_R))
    PPS_WHY=block_not_whole_sections
    [ "$bs" -ge "$sec" ] && [ $((bs % sec)) = 0 ] || return 1
  fi
  PPS=$((sec / page))
  SECTION_BYTES=$sec
  [ "$PPS" -gt 0 ]
}

setup_duration() { # FUNC [FETCHARGS]: kprobe + kretprobe + synthetic event + hist
  f=$1
  a=${2:-}
  probe_add "p:$G/${f}_e $f${a:+ $a}" || return 1
  if ! probe_add "r:$G/${f}_x $f"; then
    probe_del "$G/${f}_e"
    return 1
  fi
  if [ ! -w "$T/synthetic_events" ] || ! printf '%s_%s u64 lat\n' "$G" "$f" >>"$T/synthetic_events" 2>/dev/null; then
    DUR_WHY=no_synthetic_events
    return 2
  fi
  ev=$I/events/$G
  sy=$I/events/synthetic/${G}_$f
  if trig "$ev/${f}_e" "hist:keys=common_pid:ts0=common_timestamp" &&
    trig "$ev/${f}_x" "hist:keys=common_pid:lat=common_timestamp-\$ts0:onmatch($G.${f}_e).trace(${G}_$f,\$lat)" &&
    trig "$sy" "hist:keys=common_pid:vals=hitcount,lat" &&
    trig "$sy" "hist:keys=lat:vals=hitcount:sort=lat.descending"; then
    return 0
  fi
  DUR_WHY=hist_trigger_failed
  return 2
}

setup_count() { # FUNC: kprobe + one hist trigger counting calls per pid
  f=$1
  probe_add "p:$G/${f}_e $f" || return 1
  trig "$I/events/$G/${f}_e" "hist:keys=common_pid:vals=hitcount" && return 0
  # no hist triggers: kprobe_profile still counts the hits of an enabled probe
  printf '1\n' >"$I/events/$G/${f}_e/enable" 2>/dev/null && return 0
  return 1
}

# __add_pages, with its pfn and nr_pages arguments where the kernel fetches
# them ($argN: HAVE_FUNCTION_ARG_ACCESS_API): ADD_PAGES = args | plain | "".
# Where the kernel refuses $argN, the ELF ABI's registers of the 2nd and 3rd
# argument at the entry: Debian's ppc64le 6.1 answers "Invalid $-variable
# specified" for $arg2 but takes %r4/%r5 (r3 is the first argument).
ADD_PAGES=
ADD_PAGES_WHY=
add_pages_regs() {
  case $(uname -m 2>/dev/null) in
    ppc64*) ADD_PAGES_REGS='pfn=%r4:u64 nr=%r5:u64' ;;
    *) ADD_PAGES_REGS= ;;
  esac
}
setup_add_pages() {
  setup_duration __add_pages 'pfn=$arg2:u64 nr=$arg3:u64'
  r=$?
  if [ $r = 1 ]; then
    add_pages_regs
    if [ -n "$ADD_PAGES_REGS" ]; then
      setup_duration __add_pages "$ADD_PAGES_REGS"
      r=$?
      [ $r = 1 ] || pf_emit info add_pages_args=registers
    fi
  fi
  if [ $r = 1 ]; then
    setup_duration __add_pages
    r=$?
    [ $r = 1 ] || { ADD_PAGES=plain; ADD_PAGES_WHY=no_fetch_args; }
  else
    ADD_PAGES=args
  fi
  [ $r = 1 ] && ADD_PAGES_WHY=add_pages_not_probed
  return $r
}

do_start() {
  pf_begin counters phase=start
  [ -n "$DIR" ] || { pf_end fail reason=no_dir; exit 2; }
  mkdir -p "$DIR" 2>/dev/null || { pf_end fail reason=dir_not_writable; exit 2; }
  : >"$DIR/funcs"
  : >"$DIR/unavailable"
  : >"$DIR/triggers"
  # counters that need nothing but /proc and /sys
  cat /proc/vmstat >"$DIR/vmstat.0" 2>/dev/null || unavail vmstat no_proc_vmstat
  for c in warn_count oops_count; do
    if pf_read1 "/sys/kernel/$c" && pf_uint "$PF_R"; then
      printf '%s\n' "$PF_R" >"$DIR/$c.0"
    else
      unavail "$c" no_sysfs_file "/sys/kernel/$c"
    fi
  done
  if command -v perf >/dev/null 2>&1; then
    (
      trap '' HUP
      exec perf stat -a -x, -e cycles,instructions -o "$DIR/perf.csv" </dev/null >/dev/null 2>&1
    ) &
    printf '%s\n' "$!" >"$DIR/perf.pid"
    pf_emit info perf=started
  else
    unavail perf no_perf_binary
  fi

  why=
  if ! pf_is_root; then
    why=not_root
  elif ! find_tracefs; then
    why=no_tracefs
  elif [ ! -w "$T/kprobe_events" ]; then
    why=no_kprobe_events
  fi
  if [ -n "$why" ]; then
    for f in $FUNCS; do unavail "$f" "$why"; done
    pf_end ok "probes=0"
    return 0
  fi
  do_cleanup >/dev/null 2>&1 # leftovers of an earlier run
  instance_dir
  [ -d "$T/instances" ] && [ "$I" = "$T" ] && pf_emit info instance=unavailable
  printf 'mono\n' >"$I/trace_clock" 2>/dev/null || printf 'global\n' >"$I/trace_clock" 2>/dev/null
  printf '64\n' >"$I/buffer_size_kb" 2>/dev/null
  printf '%s\n' "$I" >"$DIR/instance"
  pf_read1 "$I/trace_clock"
  clk=$(printf '%s' "$PF_R" | sed -n 's/.*\[\([a-z0-9_-]*\)\].*/\1/p')
  pf_emit info "tracefs=$T" "instance=${I#"$T"}" "trace_clock=${clk:-unknown}" method=kprobe_kretprobe_synthetic_hist

  ksym_extract $FUNCS pfn_to_online_page
  nprobes=0
  need_derived=
  for f in $FUNCS; do
    case $f in *[!A-Za-z0-9_]* | '') unavail bad_name invalid_function_name; continue ;; esac
    case $f in
      pfn_valid)
        if setup_count pfn_valid; then
          printf '%s count\n' pfn_valid >>"$DIR/funcs"
          pf_emit info probe=pfn_valid mode=count
          nprobes=$((nprobes + 1))
        else
          why_not pfn_valid
          unavail pfn_valid "$WHY" "$WHY_DETAIL"
          # inlined: count its out-of-line caller on the pfn walkers' path
          if setup_count pfn_to_online_page; then
            printf '%s count caller_of:pfn_valid\n' pfn_to_online_page >>"$DIR/funcs"
            pf_emit info probe=pfn_to_online_page mode=count role=caller_of:pfn_valid
            nprobes=$((nprobes + 1))
          fi
        fi
        continue
        ;;
    esac
    DUR_WHY=
    if [ "$f" = __add_pages ]; then
      setup_add_pages
      rc=$?
    else
      setup_duration "$f"
      rc=$?
    fi
    if [ $rc = 0 ]; then
      printf '%s duration\n' "$f" >>"$DIR/funcs"
      pf_emit info "probe=$f" mode=duration
      nprobes=$((nprobes + 1))
    elif [ $rc = 2 ]; then
      # the kprobe exists: count it at least (kprobe_profile)
      printf '1\n' >"$I/events/$G/${f}_e/enable" 2>/dev/null
      printf '%s profile\n' "$f" >>"$DIR/funcs"
      unavail "$f.duration" "$DUR_WHY"
      nprobes=$((nprobes + 1))
    else
      why_not "$f"
      unavail "$f" "$WHY" "$WHY_DETAIL"
      case $f in vmemmap_populate | sparse_add_section) need_derived="$need_derived $f" ;; esac
    fi
  done

  # Exact call counts of the notrace section functions, from __add_pages' arguments.
  if [ -n "$need_derived" ]; then
    if [ -z "$ADD_PAGES" ]; then
      # __add_pages was not asked for: probe it for the derivation
      setup_add_pages && printf '%s duration\n' __add_pages >>"$DIR/funcs" && pf_emit info probe=__add_pages mode=duration role=source_of_derived
    fi
    if [ "$ADD_PAGES" != args ]; then
      for f in $need_derived; do unavail "$f.derived" "${ADD_PAGES_WHY:-no_fetch_args}"; done
    elif ! pages_per_section; then
      for f in $need_derived; do unavail "$f.derived" no_section_size "$PPS_WHY"; done
    elif trig "$I/events/$G/__add_pages_e" "hist:keys=pfn,nr:vals=hitcount"; then
      printf '%s\n' "$PPS" >"$DIR/pps"
      for f in $need_derived; do
        printf '%s derived\n' "$f" >>"$DIR/funcs"
        pf_emit info "probe=$f" mode=derived source=__add_pages "pages_per_section=$PPS" "section_bytes=$SECTION_BYTES"
      done
    else
      for f in $need_derived; do unavail "$f.derived" hist_trigger_failed; done
    fi
  fi
  printf '1\n' >"$I/tracing_on" 2>/dev/null
  pf_end ok "probes=$nprobes"
}

# ---- stop ---------------------------------------------------------------------
# hist_sum FILE: "calls total_ns max_ns dropped" from the two histograms of a
# synthetic event (keys=common_pid sums; keys=lat sorted descending: max).
hist_sum() {
  awk '
    /^# trigger info:/ { h = ($0 ~ /keys=lat[:.]/) ? "lat" : "pid"; first = 1; next }
    /^\{/ {
      if (h == "pid") {
        for (i = 2; i <= NF; i++) {
          if ($i == "hitcount:") c += $(i + 1)
          else if ($i == "lat:") t += $(i + 1)
        }
      } else if (h == "lat" && first) { m = $3; first = 0 }
    }
    /Dropped:/ { if (h == "lat") d += $2; else dp += $2 }
    END { printf "%d %d %s %d %d\n", c, t, (m == "" ? "-" : m), d, dp }
  ' "$1" 2>/dev/null
}

hist_calls() { # FILE: sum of hitcount over all entries of the keys=common_pid histograms
  awk '
    /^# trigger info:/ { h = ($0 ~ /keys=common_pid[:.]/) ? "pid" : "other"; next }
    /^\{/ && h == "pid" { for (i = 2; i <= NF; i++) if ($i == "hitcount:") c += $(i + 1) }
    END { printf "%d\n", c }
  ' "$1" 2>/dev/null
}

sections_of() { # FILE PPS: section-aligned chunks of the (pfn, nr) histogram entries
  awk -v pps="$2" '
    /^# trigger info:/ { h = ($0 ~ /keys=pfn,nr/) ? 1 : 0; next }
    /^\{/ && h {
      line = $0; gsub(/[{},]/, " ", line); n = split(line, f, " ")
      pfn = ""; nr = ""; hc = 0
      for (i = 1; i < n; i++) {
        if (f[i] == "pfn:") pfn = f[i + 1]
        else if (f[i] == "nr:") nr = f[i + 1]
        else if (f[i] == "hitcount:") hc = f[i + 1]
      }
      if (pfn == "" || nr == "" || nr <= 0) next
      first = int(pfn / pps); last = int((pfn + nr - 1) / pps)
      s += (last - first + 1) * hc; calls += hc; pages += nr * hc
    }
    END { printf "%d %d %d\n", s, calls, pages }
  ' "$1" 2>/dev/null
}

profile_of() { # EVENT: "hits misses" from kprobe_profile
  awk -v e="$1" '$1 == e || $1 == "pfnlab/" e { print $2, $3; found = 1; exit } END { if (!found) print "- -" }' "$T/kprobe_profile" 2>/dev/null
}

do_stop() {
  pf_begin counters phase=stop
  [ -n "$DIR" ] && [ -d "$DIR" ] || { pf_end fail reason=no_dir; exit 2; }
  # reprint what start could not set up, so this output stands alone
  if [ -s "$DIR/unavailable" ]; then
    while read -r n r d; do
      pf_emit unavailable "name=$n" "reason=$r" ${d:+"detail=$d"}
    done <"$DIR/unavailable"
  fi
  if find_tracefs && [ -s "$DIR/funcs" ]; then
    pf_read1 "$DIR/instance"
    I=${PF_R:-$T}
    printf '0\n' >"$I/tracing_on" 2>/dev/null # freeze
    while read -r f mode role; do
      case $mode in
        duration)
          set -- $(hist_sum "$I/events/synthetic/${G}_$f/hist")
          calls=${1:-0} total=${2:-0} max=${3:--} dmax=${4:-0} dsum=${5:-0}
          set -- $(profile_of "${f}_e")
          hits=$1
          set -- $(profile_of "${f}_x")
          missed=$2
          extra=
          [ "$calls" -gt 0 ] && extra="mean_ns=$((total / calls))"
          [ "$max" != - ] && [ "$dmax" = 0 ] && extra="$extra max_ns=$max"
          pf_uint "$hits" && extra="$extra entries=$hits"
          pf_uint "$missed" && extra="$extra missed=$missed"
          [ "$dsum" != 0 ] && extra="$extra dropped=$dsum"
          pf_emit counter "name=$f" source=kprobe "calls=$calls" "total_ns=$total" $extra method=kretprobe_hist
          ;;
        count)
          calls=$(hist_calls "$I/events/$G/${f}_e/hist")
          set -- $(profile_of "${f}_e")
          hits=$1
          pf_uint "$hits" || hits=
          pf_emit counter "name=$f" source=kprobe "calls=${calls:-0}" ${hits:+"entries=$hits"} ${role:+"role=$role"} method=kprobe_hist
          ;;
        profile)
          set -- $(profile_of "${f}_e")
          pf_uint "$1" && pf_emit counter "name=$f" source=kprobe "calls=$1" method=kprobe_profile
          ;;
        derived)
          pf_read1 "$DIR/pps"
          set -- $(sections_of "$I/events/$G/__add_pages_e/hist" "$PF_R")
          pf_emit counter "name=$f" source=derived "calls=${1:-0}" method=sections_in___add_pages "add_pages_calls=${2:-0}" "pages=${3:-0}" "pages_per_section=$PF_R"
          ;;
      esac
    done <"$DIR/funcs"
  fi
  # /proc/vmstat deltas (nr_* are gauges in pages; pgpgin/out are KiB)
  if [ -s "$DIR/vmstat.0" ]; then
    awk 'NR == FNR { a[$1] = $2; next } ($1 in a) { d = $2 - a[$1]; if (d != 0) print $1, d }' "$DIR/vmstat.0" /proc/vmstat 2>/dev/null |
      while read -r k d; do
        case $k in
          pgpgin | pgpgout) pf_emit counter "name=vmstat.$k" source=vmstat "value=$((d * 1024))" unit=bytes ;;
          nr_*) pf_emit counter "name=vmstat.$k" source=vmstat "value=$d" unit=pages ;;
          *) pf_emit counter "name=vmstat.$k" source=vmstat "value=$d" unit=count ;;
        esac
        printf '%s\n' "$PF_SEQ" >"$DIR/seq"
      done
    # the pipeline ran in a subshell: take its sequence number back
    [ -s "$DIR/seq" ] && read -r PF_SEQ <"$DIR/seq" && rm -f "$DIR/seq"
  fi
  for c in warn_count oops_count; do
    [ -s "$DIR/$c.0" ] || continue
    read -r v0 <"$DIR/$c.0"
    pf_read1 "/sys/kernel/$c" && pf_uint "$PF_R" && pf_emit counter "name=$c" source=sysfs "value=$((PF_R - v0))" unit=count
  done
  # perf stat: SIGINT makes it write its CSV
  if [ -s "$DIR/perf.pid" ]; then
    read -r pp <"$DIR/perf.pid"
    : >"$DIR/perf.pid"
    if pf_uint "$pp" && kill -s INT "$pp" 2>/dev/null; then
      k=0
      while kill -s 0 "$pp" 2>/dev/null && [ $k -lt 50 ]; do sleep 0.1 2>/dev/null || sleep 1; k=$((k + 1)); done
    fi
    for ev in cycles instructions; do
      v=$(awk -F, -v e="$ev" '$3 == e || $3 ~ "^" e ":" { print $1; exit }' "$DIR/perf.csv" 2>/dev/null)
      if pf_uint "$v"; then
        pf_emit counter "name=perf.$ev" source=perf "value=$v" unit=count
      else
        pf_v "${v:-no_output}"
        pf_emit unavailable "name=perf.$ev" reason=not_counted "detail=$PF_V"
      fi
    done
  fi
  if do_cleanup; then
    pf_emit info cleanup=clean
  else
    pf_emit info cleanup=leftovers "left=$(printf '%s' "${LEFT# }" | tr ' ' ':')"
  fi
  pf_end ok
}

case $CMD in
  start) do_start ;;
  stop) do_stop ;;
  cleanup)
    pf_begin counters phase=cleanup
    if do_cleanup; then
      pf_emit info cleanup=clean
      pf_end ok
    else
      pf_emit info cleanup=leftovers "left=$(printf '%s' "${LEFT# }" | tr ' ' ':')"
      pf_end fail reason=cleanup_leftovers
      exit 1
    fi
    ;;
  *)
    pf_begin counters phase=usage
    pf_end fail reason=usage
    exit 2
    ;;
esac
exit 0
