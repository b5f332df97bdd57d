import re,sys
src=open('/work/main/node_modules/@anthropic-ai/claude-agent-sdk/sdk.d.ts').read().split('\n')
idx={}
for i,l in enumerate(src):
    m=re.match(r'^export declare (?:type|interface|const|function|class) (\w+)',l)
    if m and m.group(1) not in idx: idx[m.group(1)]=i
def get(n):
    if n not in idx: return None
    i=idx[n]; buf=[]
    j=i
    while j<len(src):
        l=src[j]; buf.append(l)
        if j==i and l.rstrip().endswith(';') and l.count('{')==l.count('}'): break
        if j>i and re.match(r'^}',l): break
        j+=1
    # strip comments
    out=[]; inc=False
    for l in buf:
        s=l.strip()
        if s.startswith('/**') or s.startswith('/*'):
            inc = not s.endswith('*/'); continue
        if inc:
            if s.endswith('*/'): inc=False
            continue
        if s.startswith('//') or s=='': continue
        out.append(l)
    return '\n'.join(out)
for n in sys.argv[1:]:
    r=get(n); print(r if r else '<<missing %s>>'%n); print()
