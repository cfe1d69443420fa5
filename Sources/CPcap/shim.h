#ifndef SOSDUMP_CPCAP_SHIM_H
#define SOSDUMP_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
